-- One row per Lead Ads submission, with the standard form fields (field_data) flattened into columns: email
-- (also normalised for matching), phone (as typed), name, company, job title, location. Every field, custom
-- questions included, is also in stg_meta_ads__lead_field_values.
{{ config(unique_key='lead_id') }}
with

source as (

    select raw_records.* from {{ source('meta_ads', 'leads') }} as raw_records
    {{ unstaged_records('lead_id') }}

),

fields as (

    {{ json_array_items('source', 'payload', 'field_data', ['record_id']) }}

),

field_values as (

    select
        record_id,
        lower({{ json_text('item', 'name') }}) as field_name,
        nullif(trim({{ json_text('item', ['values', 0]) }}), '') as field_value
    from fields

),

-- a field answered twice keeps the lexically greatest answer (deterministic; Meta sends each key once)
pivoted as (

    select
        record_id,
        max(case when field_name = 'email' then field_value end) as email,
        max(case when field_name = 'work_email' then field_value end) as work_email,
        max(case when field_name = 'phone_number' then field_value end) as phone_number,
        max(case when field_name = 'work_phone_number' then field_value end) as work_phone_number,
        max(case when field_name = 'full_name' then field_value end) as full_name,
        max(case when field_name = 'first_name' then field_value end) as first_name,
        max(case when field_name = 'last_name' then field_value end) as last_name,
        max(case when field_name = 'company_name' then field_value end) as company_name,
        max(case when field_name = 'job_title' then field_value end) as job_title,
        max(case when field_name = 'city' then field_value end) as city,
        max(case when field_name = 'state' then field_value end) as state,
        max(case when field_name in ('zip_code', 'zip', 'post_code') then field_value end) as postal_code,
        max(case when field_name = 'country' then field_value end) as country,
        count(*) as field_count
    from field_values
    group by record_id

),

renamed as (

    select

        ----------  ids
        source.record_id as lead_id,
        {{ json_text('source.payload', 'form_id') }} as lead_form_id,
        nullif({{ json_text('source.payload', 'ad_id') }}, '') as ad_id,
        nullif({{ json_text('source.payload', 'adset_id') }}, '') as adset_id,
        nullif({{ json_text('source.payload', 'campaign_id') }}, '') as campaign_id,

        ----------  strings
        nullif({{ json_text('source.payload', 'ad_name') }}, '') as ad_name,
        nullif({{ json_text('source.payload', 'campaign_name') }}, '') as campaign_name,
        -- where the form was opened: fb (Facebook) or ig (Instagram)
        nullif({{ json_text('source.payload', 'platform') }}, '') as platform,
        coalesce(pivoted.email, pivoted.work_email) as email,
        {{ normalize_email('coalesce(pivoted.email, pivoted.work_email)') }} as email_normalized,
        -- as typed (messy local formats); normalised by identity resolution later
        coalesce(pivoted.phone_number, pivoted.work_phone_number) as phone,
        coalesce(
            pivoted.full_name,
            nullif(trim(coalesce(pivoted.first_name, '') || ' ' || coalesce(pivoted.last_name, '')), '')
        ) as full_name,
        pivoted.first_name,
        pivoted.last_name,
        pivoted.company_name,
        pivoted.job_title,
        pivoted.city,
        pivoted.state,
        pivoted.postal_code,
        pivoted.country,

        ----------  numerics
        coalesce(pivoted.field_count, 0) as field_count,

        ----------  booleans
        -- an organic lead came from the form shared without an ad
        coalesce(cast({{ json_text('source.payload', 'is_organic') }} as boolean), false) as is_organic,
        source.is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('source.payload', 'created_time')) }} as created_at,
        source._extracted_at

    from source
    left join pivoted
        on source.record_id = pivoted.record_id

)

select * from renamed
