-- One row per person: who they are (from their primary HubSpot contact) and how much of a timeline they have.
with

identities as (

    select * from {{ ref('int_person_identities') }}
    where identifier_type = 'hubspot_contact_id'

),

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

companies as (

    select * from {{ ref('stg_hubspot__companies') }}

),

associations as (

    select * from {{ ref('stg_hubspot__associations') }}

),

personas as (

    select * from {{ ref('hubspot_personas') }}

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

person_contacts as (

    select
        identities.person_key,
        contacts.*,
        count(*) over (partition by identities.person_key) as contact_count,
        -- the person's primary contact: an active one first, then the oldest
        row_number() over (
            partition by identities.person_key
            order by case when contacts.is_archived then 1 else 0 end, contacts.created_at, contacts.contact_id
        ) as contact_rank
    from identities
    inner join contacts
        on identities.hubspot_contact_id = contacts.contact_id

),

-- the contact's primary company (association type 1), else the lowest associated company id
contact_companies as (

    select
        associations.from_object_id as contact_id,
        companies.company_name,
        row_number() over (
            partition by associations.from_object_id
            order by case when associations.association_type_id = '1' then 0 else 1 end, associations.to_object_id
        ) as company_rank
    from associations
    inner join companies
        on associations.to_object_id = companies.company_id
    where associations.from_object_type = 'contact'
        and associations.to_object_type = 'company'

),

touch_stats as (

    select
        person_key,
        count(*) as touch_count,
        min(occurred_at) as first_touch_at,
        max(occurred_at) as last_touch_at
    from touchpoints
    group by person_key

),

final as (

    select

        ----------  ids
        person_contacts.person_key,
        person_contacts.contact_id as primary_contact_id,
        person_contacts.owner_id,

        ----------  strings
        person_contacts.email_normalized as email,
        person_contacts.first_name,
        person_contacts.last_name,
        nullif(trim(
            coalesce(person_contacts.first_name, '') || ' ' || coalesce(person_contacts.last_name, '')
        ), '') as full_name,
        coalesce(person_contacts.phone, person_contacts.mobile_phone) as phone,
        coalesce(person_contacts.company_name, contact_companies.company_name) as company_name,
        person_contacts.job_title,
        person_contacts.city,
        person_contacts.country,
        personas.persona,
        person_contacts.persona_code,
        person_contacts.lifecycle_stage,
        person_contacts.analytics_source,
        {{ hubspot_analytics_channel('person_contacts.analytics_source') }} as original_channel,

        ----------  numerics
        person_contacts.contact_count,
        coalesce(touch_stats.touch_count, 0) as touch_count,

        ----------  booleans
        person_contacts.is_archived,

        ----------  timestamps
        least(person_contacts.created_at, touch_stats.first_touch_at) as first_seen_at,
        touch_stats.first_touch_at,
        touch_stats.last_touch_at,
        person_contacts.created_at as contact_created_at

    from person_contacts
    left join contact_companies
        on person_contacts.contact_id = contact_companies.contact_id
        and contact_companies.company_rank = 1
    left join personas
        on person_contacts.persona_code = personas.persona_code
    left join touch_stats
        on person_contacts.person_key = touch_stats.person_key
    where person_contacts.contact_rank = 1

)

select * from final
