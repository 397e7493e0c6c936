-- Person resolution, in one place: every identifier a touch can carry, mapped to the person it belongs to.
-- For now a person is a HubSpot contact: person_key = hash of the contact id, and an email address belongs to
-- the earliest-created contact holding it. A later issue replaces this model with a cross-source identity graph
-- (emails, phones, click ids, platform ids) that keeps the same columns and grain.
with

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

contact_persons as (

    select
        contact_id,
        email_normalized,
        {{ surrogate_key(["'hubspot_contact'", 'contact_id']) }} as person_key,
        created_at,
        is_archived
    from contacts

),

contact_identifiers as (

    select
        'hubspot_contact_id' as identifier_type,
        contact_id as identifier_value,
        person_key,
        contact_id as hubspot_contact_id,
        created_at as first_seen_at
    from contact_persons

),

-- an address held by several contacts (duplicates, shared inboxes) goes to the earliest-created, active first
email_owners as (

    select
        email_normalized,
        person_key,
        contact_id,
        created_at,
        row_number() over (
            partition by email_normalized
            order by case when is_archived then 1 else 0 end, created_at, contact_id
        ) as owner_rank
    from contact_persons
    where email_normalized is not null

),

email_identifiers as (

    select
        'email' as identifier_type,
        email_normalized as identifier_value,
        person_key,
        contact_id as hubspot_contact_id,
        created_at as first_seen_at
    from email_owners
    where owner_rank = 1

),

unioned as (

    select * from contact_identifiers
    union all
    select * from email_identifiers

),

final as (

    select
        {{ surrogate_key(['identifier_type', 'identifier_value']) }} as person_identity_id,
        identifier_type,
        identifier_value,
        person_key,
        hubspot_contact_id,
        first_seen_at
    from unioned

)

select * from final
