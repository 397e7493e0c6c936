{{ config(unique_key='contact_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'contacts') }} as raw_records
    {{ unstaged_records('contact_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as contact_id,
        {{ hubspot_property('hubspot_owner_id') }} as owner_id,

        ----------  strings
        {{ hubspot_property('email') }} as email,
        {{ hubspot_property('firstname') }} as first_name,
        {{ hubspot_property('lastname') }} as last_name,
        {{ hubspot_property('phone') }} as phone,
        {{ hubspot_property('mobilephone') }} as mobile_phone,
        {{ hubspot_property('company') }} as company_name,
        {{ hubspot_property('jobtitle') }} as job_title,
        {{ hubspot_property('city') }} as city,
        {{ hubspot_property('country') }} as country,
        {{ hubspot_property('lifecyclestage') }} as lifecycle_stage,
        {{ hubspot_property('hs_lead_status') }} as lead_status,
        {{ hubspot_property('hs_persona') }} as persona_code,
        {{ hubspot_property('hs_analytics_source') }} as analytics_source,
        {{ hubspot_property('hs_analytics_source_data_1') }} as analytics_source_data_1,
        {{ hubspot_property('hs_analytics_source_data_2') }} as analytics_source_data_2,
        {{ hubspot_property('hs_analytics_first_url') }} as analytics_first_url,
        {{ hubspot_property('hs_analytics_first_referrer') }} as analytics_first_referrer,
        {{ hubspot_property('utm_source') }} as utm_source,
        {{ hubspot_property('utm_medium') }} as utm_medium,
        {{ hubspot_property('utm_campaign') }} as utm_campaign,
        {{ hubspot_property('utm_content') }} as utm_content,
        {{ hubspot_property('utm_term') }} as utm_term,
        {{ hubspot_property('hs_google_click_id') }} as gclid,
        {{ hubspot_property('hs_facebook_click_id') }} as fbclid,
        {{ hubspot_property('referrer_email') }} as referrer_email,
        -- social profiles the contact left: an Instagram handle typed into a form, the page-scoped id of the
        -- Facebook user whose Messenger thread the HubSpot inbox matched to the contact
        {{ hubspot_property('instagram_handle') }} as instagram_handle,
        {{ hubspot_property('facebook_page_scoped_id') }} as facebook_page_scoped_id,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(hubspot_property('createdate')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        {{ iso_to_timestamp(json_text('payload', 'archivedAt')) }} as archived_at,
        _extracted_at

    from source

),

final as (

    select
        *,
        -- the forms the identifiers are matched in
        {{ normalize_email('email') }} as email_normalized,
        {{ normalize_handle('instagram_handle') }} as instagram_username
    from renamed

)

select * from final
