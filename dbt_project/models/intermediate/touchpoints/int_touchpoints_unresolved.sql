-- The touches fct_touchpoints leaves out: every row of int_touchpoints_unioned whose identifier resolves to no
-- person in int_identity_nodes_resolved (a Google click by someone who never reached a form, a commenter no contact is
-- linked to, a submission from a shared info@ address with nothing else to link it, ...). Nothing vanishes:
-- the unioned touches are exactly the resolved ones (fct_touchpoints, before one-per-person deduplication) plus
-- these.
with

touchpoints as (

    select * from {{ ref('int_touchpoints_unioned') }}

),

identities as (

    select * from {{ ref('int_identity_nodes_resolved') }}
    where person_key is not null

),

unresolved as (

    select touchpoints.*
    from touchpoints
    left join identities
        on touchpoints.person_identifier_type = identities.identifier_type
        and touchpoints.person_identifier_value = identities.identifier_value
    where identities.person_identity_id is null

)

select * from unresolved
