-- customer_journeys has exactly one row per person of dim_persons: none missing, none extra, none twice.
with

persons as (

    select person_key from {{ ref('dim_persons') }}

),

journeys as (

    select
        person_key,
        count(*) as row_count
    from {{ ref('customer_journeys') }}
    group by person_key

)

select
    coalesce(persons.person_key, journeys.person_key) as person_key,
    journeys.row_count
from persons
full outer join journeys
    on persons.person_key = journeys.person_key
where persons.person_key is null
    or journeys.person_key is null
    or journeys.row_count <> 1
