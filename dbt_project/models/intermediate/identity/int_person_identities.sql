-- Person resolution, in one place: every identifier a touch can carry, mapped to the person it belongs to.
-- For now a person is a HubSpot contact: person_key = hash of the contact id. Other identifiers resolve to a person
-- only through what HubSpot holds about its contacts:
--   email               the contact's address (normalised); an address held by several contacts belongs to the
--                       earliest-created active one
--   gclid / fbclid      ad click ids on a contact (hs_google_click_id / hs_facebook_click_id) or on the page URL
--                       of a form submission (through the submitted email); the earliest such record wins
--   facebook_user_id    the page-scoped id of the Facebook user whose Messenger thread the HubSpot inbox matched
--                       to the contact (facebook_page_scoped_id): the id Facebook comments and reactions carry
--   instagram_username  the Instagram handle a contact typed into a form (normalised: lower case, no @), the
--                       username Instagram comments carry
-- Anything else (a Mailchimp address HubSpot never saw, a click id no HubSpot record carries, an anonymous
-- commenter) resolves to nobody: those touches stay out of fct_touchpoints and are listed by
-- int_touchpoints_unresolved. A later issue replaces this model with a cross-source identity graph (emails,
-- phones, click ids, platform ids) that keeps the same columns and grain.
with

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

click_id_hits as (

    select * from {{ ref('int_hubspot__click_ids') }}

),

contact_persons as (

    select
        contact_id,
        email_normalized,
        facebook_page_scoped_id,
        instagram_username,
        {{ surrogate_key(["'hubspot_contact'", 'contact_id']) }} as person_key,
        created_at,
        is_archived,
        -- preference among contacts sharing an identifier: active first, then the earliest created
        row_number() over (
            order by case when is_archived then 1 else 0 end, created_at, contact_id
        ) as contact_preference
    from contacts

),

contact_identifiers as (

    select
        'hubspot_contact_id' as identifier_type,
        contact_id as identifier_value,
        person_key,
        contact_id as hubspot_contact_id,
        created_at as first_seen_at,
        contact_preference as preference
    from contact_persons

),

-- identifiers stored on contacts: one candidate per contact holding the value
contact_property_identifiers as (

    select
        'email' as identifier_type,
        email_normalized as identifier_value,
        person_key,
        contact_id as hubspot_contact_id,
        created_at as first_seen_at,
        contact_preference as preference
    from contact_persons
    where email_normalized is not null

    union all

    select
        'facebook_user_id' as identifier_type,
        facebook_page_scoped_id as identifier_value,
        person_key,
        contact_id as hubspot_contact_id,
        created_at as first_seen_at,
        contact_preference as preference
    from contact_persons
    where facebook_page_scoped_id is not null

    union all

    select
        'instagram_username' as identifier_type,
        instagram_username as identifier_value,
        person_key,
        contact_id as hubspot_contact_id,
        created_at as first_seen_at,
        contact_preference as preference
    from contact_persons
    where instagram_username is not null

),

-- the owner of each email address (needed to resolve click ids seen on form submissions)
email_owners as (

    select
        identifier_value as email_normalized,
        person_key,
        hubspot_contact_id,
        row_number() over (partition by identifier_value order by preference) as owner_rank
    from contact_property_identifiers
    where identifier_type = 'email'

),

-- click ids: every HubSpot record carrying one is a candidate; the earliest record wins
click_id_identifiers as (

    select
        click_id_hits.click_id_type as identifier_type,
        click_id_hits.click_id as identifier_value,
        coalesce(contact_persons.person_key, email_owners.person_key) as person_key,
        coalesce(contact_persons.contact_id, email_owners.hubspot_contact_id) as hubspot_contact_id,
        click_id_hits.observed_at as first_seen_at,
        click_id_hits.hit_rank as preference
    from click_id_hits
    left join contact_persons
        on click_id_hits.contact_id = contact_persons.contact_id
    left join email_owners
        on click_id_hits.email_normalized = email_owners.email_normalized
        and email_owners.owner_rank = 1
    where coalesce(contact_persons.person_key, email_owners.person_key) is not null

),

candidates as (

    select * from contact_property_identifiers
    union all
    select * from click_id_identifiers

),

ranked as (

    select
        *,
        row_number() over (
            partition by identifier_type, identifier_value
            order by preference, hubspot_contact_id
        ) as candidate_rank
    from candidates

),

unioned as (

    select
        identifier_type,
        identifier_value,
        person_key,
        hubspot_contact_id,
        first_seen_at
    from contact_identifiers

    union all

    select
        identifier_type,
        identifier_value,
        person_key,
        hubspot_contact_id,
        first_seen_at
    from ranked
    where candidate_rank = 1

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
