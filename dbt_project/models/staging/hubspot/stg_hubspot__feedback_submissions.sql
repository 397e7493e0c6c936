{{ config(unique_key='feedback_submission_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'feedback_submissions') }} as raw_records
    {{ unstaged_records('feedback_submission_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as feedback_submission_id,

        ----------  strings
        upper({{ hubspot_property('hs_survey_type') }}) as survey_type,
        {{ hubspot_property('hs_survey_name') }} as survey_name,

        ----------  numerics
        -- NPS answers are 0-10; stored as numeric so CSAT-style decimals survive too
        cast({{ hubspot_property('hs_response_value') }} as {{ dbt.type_numeric() }}) as response_value,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(hubspot_property('hs_submission_timestamp')) }} as submitted_at,
        {{ iso_to_timestamp(hubspot_property('hs_createdate')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        _extracted_at

    from source

)

select * from renamed
