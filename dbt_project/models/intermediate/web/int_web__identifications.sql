-- Evidence that a device belonged to a known person at a moment: one row per (device, call or view, person). The
-- anonymous id itself never enters the identity graph (an office computer used by two people would merge them);
-- instead each piece of evidence names an identifier the graph already resolves to a person_key:
--   email         an identify call's traits.email (a form fill or a sign-up): the email node's person
--   user_id       an identify or alias call's userId: the person of that user id, known from the identify calls
--                 carrying the user id together with an email, or from an alias whose previous id (the device) was
--                 identified by email. A user id that would name two persons names nobody (a guardrail, like the
--                 graph's caps).
--   gclid/fbclid  a page view whose URL carries an ad click id the graph resolves (HubSpot stored it on a contact)
--   hubspot_contact_id  a view HubSpot also shows: HubSpot tied that browser's cookie to the contact
-- Identifiers the graph blocks or resolves to nobody give no evidence. int_web__page_views_stitched reads this.
with

calls as (

    select * from {{ ref('stg_segment__events') }}

),

views as (

    select * from {{ ref('int_web__page_views') }}

),

nodes as (

    select
        identifier_type,
        identifier_value,
        person_key
    from {{ ref('int_identity_nodes_resolved') }}
    where person_key is not null

),

identity_calls as (

    select
        message_id,
        coalesce(anonymous_id, 'segment_user:' || user_id) as device_key,
        call_type,
        user_id,
        email_normalized,
        occurred_at
    from calls
    where call_type in ('identify', 'alias')
        and (anonymous_id is not null or user_id is not null)

),

email_evidence as (

    select
        identity_calls.message_id as evidence_id,
        identity_calls.device_key,
        'email' as identified_by,
        identity_calls.email_normalized as identifier_value,
        nodes.person_key,
        identity_calls.occurred_at as identified_at
    from identity_calls
    inner join nodes
        on nodes.identifier_type = 'email'
        and identity_calls.email_normalized = nodes.identifier_value

),

-- a user id's person: identify calls carrying it with an email, and aliases whose device an email identified
user_candidates as (

    select
        identity_calls.user_id,
        email_evidence.person_key
    from identity_calls
    inner join email_evidence
        on identity_calls.message_id = email_evidence.evidence_id
    where identity_calls.user_id is not null

    union

    select
        aliases.user_id,
        email_evidence.person_key
    from calls as aliases
    inner join email_evidence
        on aliases.previous_id = email_evidence.device_key
    where aliases.call_type = 'alias'
        and aliases.user_id is not null

),

user_persons as (

    select
        user_id,
        min(person_key) as person_key
    from user_candidates
    group by user_id
    having count(distinct person_key) = 1

),

user_evidence as (

    select
        identity_calls.message_id as evidence_id,
        identity_calls.device_key,
        'user_id' as identified_by,
        identity_calls.user_id as identifier_value,
        user_persons.person_key,
        identity_calls.occurred_at as identified_at
    from identity_calls
    inner join user_persons
        on identity_calls.user_id = user_persons.user_id

),

click_evidence as (

    select
        views.page_view_id as evidence_id,
        views.device_key,
        nodes.identifier_type as identified_by,
        nodes.identifier_value,
        nodes.person_key,
        views.viewed_at as identified_at
    from views
    inner join nodes
        on nodes.identifier_type = 'gclid'
        and views.gclid = nodes.identifier_value

    union all

    select
        views.page_view_id as evidence_id,
        views.device_key,
        nodes.identifier_type as identified_by,
        nodes.identifier_value,
        nodes.person_key,
        views.viewed_at as identified_at
    from views
    inner join nodes
        on nodes.identifier_type = 'fbclid'
        and views.fbclid = nodes.identifier_value

),

hubspot_evidence as (

    select
        views.page_view_id as evidence_id,
        views.device_key,
        'hubspot_contact_id' as identified_by,
        views.contact_id as identifier_value,
        nodes.person_key,
        views.viewed_at as identified_at
    from views
    inner join nodes
        on nodes.identifier_type = 'hubspot_contact_id'
        and views.contact_id = nodes.identifier_value

),

unioned as (

    select * from email_evidence
    union all
    select * from user_evidence
    union all
    select * from click_evidence
    union all
    select * from hubspot_evidence

),

final as (

    select
        {{ surrogate_key(['evidence_id', 'identified_by', 'identifier_value']) }} as identification_id,
        evidence_id,
        device_key,
        identified_by,
        identifier_value,
        person_key,
        identified_at
    from unioned

)

select * from final
