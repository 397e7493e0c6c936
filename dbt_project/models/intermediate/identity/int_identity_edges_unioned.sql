-- The identity graph's edges: one row per source record and identifier it carries, every identifier normalised to
-- the form it is matched in (emails trimmed and lower-cased, phones in E.164, handles without @). A record is a
-- node too (its own id: a HubSpot contact, a form submission, a Mailchimp member, a Lead Ads lead), so every
-- record also has one row pointing at itself: touches that name a record resolve through it.
--   hubspot_contact_id          email, phone and mobile phone, the click ids HubSpot stored (hs_google_click_id,
--                               hs_facebook_click_id), the Facebook page-scoped id from the Messenger inbox, the
--                               Instagram handle typed into a form
--   hubspot_form_submission_id  the typed email, phone and Instagram handle, the gclid / fbclid of the page URL
--                               (never the referrer_email field: that is another person's address)
--   mailchimp_member_id         the member's address and PHONE merge field
--   meta_lead_id                the lead form's email and phone
-- Ad clicks and social engagement carry a single identifier and add no edge: they resolve through the records
-- above or stay anonymous. Guardrails (blocklist, per-type caps) are applied by int_identity_nodes_resolved.
--
-- Incremental on the record: a run reads only the staged records whose version (_extracted_at) it has not stored
-- and replaces all of that record's rows (every record has its self row, so a new version always has rows).
{{ config(unique_key=['record_type', 'record_id']) }}
{#- the staged record streams read (CTE, staging model, node type, record key): on incremental runs only the
    versions this model has not stored yet -#}
{%- set record_streams = [
    ('contacts', 'stg_hubspot__contacts', 'hubspot_contact_id', 'contact_id'),
    ('form_submissions', 'stg_hubspot__form_submissions', 'hubspot_form_submission_id', 'conversion_id'),
    ('list_members', 'stg_mailchimp__list_members', 'mailchimp_member_id', 'list_member_id'),
    ('leads', 'stg_meta_ads__leads', 'meta_lead_id', 'lead_id'),
] %}
{#- the edges of a record row: (identifier type, identifier value, the column that must be present), both as SQL
    over the row; the first is the record's own node (a touch naming the record resolves through it) -#}
{%- set edges = [
    ('record_type', 'record_id', none),
    ("'email'", 'email_normalized', 'email_normalized'),
    ("'phone'", normalize_phone('phone'), 'phone'),
    ("'phone'", normalize_phone('mobile_phone'), 'mobile_phone'),
    ("'gclid'", 'gclid', 'gclid'),
    ("'fbclid'", 'fbclid', 'fbclid'),
    ("'facebook_user_id'", 'facebook_user_id', 'facebook_user_id'),
    ("'instagram_username'", 'instagram_username', 'instagram_username'),
] %}
with
{% for cte, model, record_type, record_key in record_streams %}
{{ cte }} as (

    select staged_rows.* from {{ ref(model) }} as staged_rows
    {{ unstaged_records(
        'record_id', 'staged_rows', stored_filter="staged.record_type = '" ~ record_type ~ "'", source_key=record_key
    ) }}

),
{% endfor %}
form_submission_values as (

    -- the values of the submissions read above (same raw record, same version)
    select staged_values.* from {{ ref('stg_hubspot__form_submission_values') }} as staged_values
    where staged_values.conversion_id in (select form_submissions.conversion_id from form_submissions)

),

-- the typed values of each submission that identify its submitter
submission_values as (

    select
        conversion_id,
        max(case when field_name = 'email' then {{ normalize_email('field_value') }} end) as email_normalized,
        max(case when field_name = 'phone' then field_value end) as phone,
        max(case when field_name = 'mobilephone' then field_value end) as mobile_phone,
        max(case when field_name = 'instagram_handle' then {{ normalize_handle('field_value') }} end)
            as instagram_username
    from form_submission_values
    where field_name in ('email', 'phone', 'mobilephone', 'instagram_handle')
    group by conversion_id

),

records as (

    select
        'hubspot_contact_id' as record_type,
        contact_id as record_id,
        'hubspot' as source_system,
        'contacts' as source_stream,
        created_at as observed_at,
        email_normalized,
        phone,
        mobile_phone,
        gclid,
        fbclid,
        facebook_page_scoped_id as facebook_user_id,
        instagram_username,
        _extracted_at
    from contacts

    union all

    select
        'hubspot_form_submission_id' as record_type,
        form_submissions.conversion_id as record_id,
        'hubspot' as source_system,
        'form_submissions' as source_stream,
        form_submissions.submitted_at as observed_at,
        submission_values.email_normalized,
        submission_values.phone,
        submission_values.mobile_phone,
        form_submissions.gclid,
        form_submissions.fbclid,
        cast(null as {{ dbt.type_string() }}) as facebook_user_id,
        submission_values.instagram_username,
        form_submissions._extracted_at
    from form_submissions
    left join submission_values
        on form_submissions.conversion_id = submission_values.conversion_id

    union all

    select
        'mailchimp_member_id' as record_type,
        list_member_id as record_id,
        'mailchimp' as source_system,
        'list_members' as source_stream,
        coalesce(opted_in_at, signed_up_at, last_changed_at) as observed_at,
        email_normalized,
        phone,
        {{ null_columns(['mobile_phone', 'gclid', 'fbclid', 'facebook_user_id', 'instagram_username']) }},
        _extracted_at
    from list_members

    union all

    select
        'meta_lead_id' as record_type,
        lead_id as record_id,
        'meta_ads' as source_system,
        'leads' as source_stream,
        created_at as observed_at,
        email_normalized,
        phone,
        {{ null_columns(['mobile_phone', 'gclid', 'fbclid', 'facebook_user_id', 'instagram_username']) }},
        _extracted_at
    from leads

),

pairs as (
    {% for identifier_type, identifier_value, present in edges %}
    select
        record_type,
        record_id,
        source_system,
        source_stream,
        observed_at,
        _extracted_at,
        {{ identifier_type }} as identifier_type,
        {{ identifier_value }} as identifier_value
    from records
    {%- if present %}
    where {{ present }} is not null
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select distinct

        ----------  ids
        {{ surrogate_key(['record_type', 'record_id', 'identifier_type', 'identifier_value']) }} as identity_edge_id,
        record_id,
        identifier_value,

        ----------  strings
        record_type,
        identifier_type,
        source_system,
        source_stream,

        ----------  timestamps
        observed_at,
        _extracted_at

    from pairs
    -- a phone that is not a number (normalize_phone gave null) is no identifier
    where identifier_value is not null

)

select * from final
