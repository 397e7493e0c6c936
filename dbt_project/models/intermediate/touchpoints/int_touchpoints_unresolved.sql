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

    select
        identifier_type,
        identifier_value,
        person_key
    from {{ ref('int_identity_nodes_resolved') }}
    where person_key is not null

    union all

    -- web sessions name their session, whose person stitching decided (every session has one)
    select
        'web_session_id' as identifier_type,
        session_id as identifier_value,
        person_key
    from {{ ref('int_web__sessions') }}

),

unresolved as (

    select touchpoints.*
    from touchpoints
    left join identities
        on touchpoints.person_identifier_type = identities.identifier_type
        and touchpoints.person_identifier_value = identities.identifier_value
    where identities.person_key is null

)

select * from unresolved
