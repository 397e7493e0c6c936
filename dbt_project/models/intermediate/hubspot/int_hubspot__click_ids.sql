-- Every ad click id (Google gclid, Meta fbclid) HubSpot captured, one row per click id and HubSpot record that
-- carries it: the page URL of a form submission (with the submitted email) or a contact's hs_google_click_id /
-- hs_facebook_click_id property. int_identity_nodes_resolved resolves click ids to people through these records, and
-- the ad platforms' touchpoint models date and describe ad clicks by the first hit carrying the click id.
with

form_submissions as (

    select * from {{ ref('stg_hubspot__form_submissions') }}
    where not is_archived
        and (gclid is not null or fbclid is not null)

),

form_submission_values as (

    select * from {{ ref('stg_hubspot__form_submission_values') }}

),

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}
    where gclid is not null or fbclid is not null

),

submission_emails as (

    {{ hubspot_submission_emails() }}

),

submission_hits as (

    select
        form_submissions.conversion_id as source_record_id,
        'form_submissions' as source_stream,
        cast(null as {{ dbt.type_string() }}) as contact_id,
        submission_emails.email_normalized,
        form_submissions.submitted_at as observed_at,
        form_submissions.page_url,
        form_submissions.utm_source,
        form_submissions.utm_medium,
        form_submissions.utm_campaign,
        form_submissions.utm_content,
        form_submissions.utm_term,
        form_submissions.gclid,
        form_submissions.fbclid
    from form_submissions
    left join submission_emails
        on form_submissions.conversion_id = submission_emails.conversion_id

),

-- HubSpot stores the click id of the visit that created the contact: it is dated by the contact's creation
contact_hits as (

    select
        contact_id as source_record_id,
        'contacts' as source_stream,
        contact_id,
        email_normalized,
        created_at as observed_at,
        analytics_first_url as page_url,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        gclid,
        fbclid
    from contacts

),

hits as (

    select * from submission_hits
    union all
    select * from contact_hits

),

click_ids as (

    select
        'gclid' as click_id_type,
        hits.gclid as click_id,
        hits.*
    from hits
    where hits.gclid is not null
    union all
    select
        'fbclid' as click_id_type,
        hits.fbclid as click_id,
        hits.*
    from hits
    where hits.fbclid is not null

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['click_id_type', 'click_id', 'source_stream', 'source_record_id']) }} as click_id_hit_id,
        click_id,
        source_record_id,
        contact_id,

        ----------  strings
        click_id_type,
        source_stream,
        email_normalized,
        page_url,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,

        ----------  numerics
        -- 1 = the earliest record carrying the click id (the landing of the click)
        row_number() over (
            partition by click_id_type, click_id
            order by observed_at asc, source_stream desc, source_record_id asc
        ) as hit_rank,

        ----------  timestamps
        observed_at

    from click_ids

)

select * from final
