-- One row per person: every person of the identity graph, and every anonymous visitor of the website (a device
-- nobody identified, int_web__page_views_stitched: is_anonymous). Who they are (profile from their primary HubSpot
-- contact, else their Mailchimp membership or Lead Ads lead), what identifies them, their web devices and views,
-- and how much of a timeline they have.
with

identities as (

    select * from {{ ref('int_identity_nodes_resolved') }}
    where person_key is not null

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

list_members as (

    select * from {{ ref('stg_mailchimp__list_members') }}

),

leads as (

    select * from {{ ref('stg_meta_ads__leads') }}

),

personas as (

    select * from {{ ref('hubspot_personas') }}

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

stitched_views as (

    select * from {{ ref('int_web__page_views_stitched') }}

),

web_stats as (

    select
        person_key,
        min(device_key) as first_device_key,
        count(distinct device_key) as web_device_count,
        count(*) as page_view_count,
        min(case when is_anonymous_person then 1 else 0 end) = 1 as is_anonymous
    from stitched_views
    group by person_key

),

person_keys as (

    select
        person_key,
        max(case when is_person_key_identifier then identifier_type end) as key_identifier_type,
        max(case when is_person_key_identifier then identifier_value end) as key_identifier_value,
        sum(case when identifier_type = 'hubspot_contact_id' then 1 else 0 end) as contact_count,
        sum(case when identifier_type = 'email' then 1 else 0 end) as email_count,
        sum(case when identifier_type = 'phone' then 1 else 0 end) as phone_count,
        sum(case when identifier_type = 'mailchimp_member_id' then 1 else 0 end) as mailchimp_member_count,
        sum(case when identifier_type = 'meta_lead_id' then 1 else 0 end) as meta_lead_count,
        sum(case when identifier_type in ('gclid', 'fbclid') then 1 else 0 end) as ad_click_id_count,
        sum(case when identifier_type in ('facebook_user_id', 'instagram_username') then 1 else 0 end)
            as social_profile_count,
        count(*) as identifier_count,
        min(first_seen_at) as first_identified_at
    from identities
    group by person_key

    union all

    -- anonymous visitors: their device is all that identifies them
    select
        person_key,
        'web_device' as key_identifier_type,
        first_device_key as key_identifier_value,
        0 as contact_count,
        0 as email_count,
        0 as phone_count,
        0 as mailchimp_member_count,
        0 as meta_lead_count,
        0 as ad_click_id_count,
        0 as social_profile_count,
        0 as identifier_count,
        cast(null as {{ dbt.type_timestamp() }}) as first_identified_at
    from web_stats
    where is_anonymous

),

-- the person's primary contact: an active one first, then the oldest
person_contacts as (

    select
        identities.person_key,
        contacts.*,
        row_number() over (
            partition by identities.person_key
            order by case when contacts.is_archived then 1 else 0 end, contacts.created_at, contacts.contact_id
        ) as contact_rank
    from identities
    inner join contacts
        on identities.identifier_type = 'hubspot_contact_id'
        and identities.identifier_value = contacts.contact_id

),

-- persons without a contact: their earliest Mailchimp membership or lead
person_members as (

    select
        identities.person_key,
        list_members.email_normalized,
        list_members.first_name,
        list_members.last_name,
        list_members.phone,
        row_number() over (
            partition by identities.person_key
            order by list_members.signed_up_at, list_members.list_member_id
        ) as member_rank
    from identities
    inner join list_members
        on identities.identifier_type = 'mailchimp_member_id'
        and identities.identifier_value = list_members.list_member_id

),

person_leads as (

    select
        identities.person_key,
        leads.email_normalized,
        leads.first_name,
        leads.last_name,
        leads.full_name,
        leads.phone,
        leads.company_name,
        leads.job_title,
        leads.city,
        leads.country,
        row_number() over (
            partition by identities.person_key
            order by leads.created_at, leads.lead_id
        ) as lead_rank
    from identities
    inner join leads
        on identities.identifier_type = 'meta_lead_id'
        and identities.identifier_value = leads.lead_id

),

person_phones as (

    select
        person_key,
        min(identifier_value) as phone_e164
    from identities
    where identifier_type = 'phone'
    group by person_key

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
        max(occurred_at) as last_touch_at,
        max(person_fingerprint) as timeline_fingerprint
    from touchpoints
    group by person_key

),

profiles as (

    select

        ----------  ids
        person_keys.person_key,
        person_keys.key_identifier_value,
        person_contacts.contact_id as primary_contact_id,
        person_contacts.owner_id,

        ----------  strings
        person_keys.key_identifier_type,
        coalesce(person_contacts.email_normalized, person_members.email_normalized, person_leads.email_normalized)
            as email,
        coalesce(person_contacts.first_name, person_members.first_name, person_leads.first_name) as first_name,
        coalesce(person_contacts.last_name, person_members.last_name, person_leads.last_name) as last_name,
        person_leads.full_name as lead_full_name,
        person_phones.phone_e164,
        coalesce(person_contacts.company_name, contact_companies.company_name, person_leads.company_name)
            as company_name,
        coalesce(person_contacts.job_title, person_leads.job_title) as job_title,
        coalesce(person_contacts.city, person_leads.city) as city,
        coalesce(person_contacts.country, person_leads.country) as country,
        personas.persona,
        person_contacts.persona_code,
        person_contacts.lifecycle_stage,
        person_contacts.analytics_source,
        {{ hubspot_analytics_channel('person_contacts.analytics_source') }} as original_channel,

        ----------  numerics
        person_keys.contact_count,
        person_keys.email_count,
        person_keys.phone_count,
        person_keys.mailchimp_member_count,
        person_keys.meta_lead_count,
        person_keys.ad_click_id_count,
        person_keys.social_profile_count,
        person_keys.identifier_count,
        coalesce(touch_stats.touch_count, 0) as touch_count,
        coalesce(web_stats.web_device_count, 0) as web_device_count,
        coalesce(web_stats.page_view_count, 0) as page_view_count,

        ----------  booleans
        coalesce(person_contacts.is_archived, false) as is_archived,
        person_keys.key_identifier_type = 'web_device' as is_anonymous,

        ----------  timestamps
        case
            when touch_stats.first_touch_at is null then person_keys.first_identified_at
            when person_keys.first_identified_at is null then touch_stats.first_touch_at
            else least(person_keys.first_identified_at, touch_stats.first_touch_at)
        end as first_seen_at,
        touch_stats.first_touch_at,
        touch_stats.last_touch_at,
        person_contacts.created_at as contact_created_at,

        touch_stats.timeline_fingerprint

    from person_keys
    left join person_contacts
        on person_keys.person_key = person_contacts.person_key
        and person_contacts.contact_rank = 1
    left join person_members
        on person_keys.person_key = person_members.person_key
        and person_members.member_rank = 1
    left join person_leads
        on person_keys.person_key = person_leads.person_key
        and person_leads.lead_rank = 1
    left join person_phones
        on person_keys.person_key = person_phones.person_key
    left join contact_companies
        on person_contacts.contact_id = contact_companies.contact_id
        and contact_companies.company_rank = 1
    left join personas
        on person_contacts.persona_code = personas.persona_code
    left join touch_stats
        on person_keys.person_key = touch_stats.person_key
    left join web_stats
        on person_keys.person_key = web_stats.person_key

),

final as (

    select
        profiles.*,
        nullif(trim(coalesce(profiles.first_name, '') || ' ' || coalesce(profiles.last_name, '')), '') as full_name,
        -- what the person-level journey models are computed from: the timeline and the profile fields they use
        {{ surrogate_key(['timeline_fingerprint', 'persona', 'first_seen_at', 'owner_id']) }} as person_fingerprint
    from profiles

)

select * from final
