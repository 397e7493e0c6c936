{{ config(unique_key='campaign_id') }}
with

source as (

    select raw_records.* from {{ source('google_ads', 'campaigns') }} as raw_records
    {{ unstaged_records('campaign_id') }}

),

extracted as (

    select
        record_id,
        {{ json_text('payload', ['campaign', 'resourceName']) }} as resource_name,
        {{ json_text('payload', ['campaign', 'name']) }} as campaign_name,
        {{ json_text('payload', ['campaign', 'status']) }} as campaign_status,
        {{ json_text('payload', ['campaign', 'advertisingChannelType']) }} as advertising_channel_type,
        -- API v24 renamed start_date / end_date to start_date_time / end_date_time ('2025-11-20 00:00:00')
        coalesce(
            nullif({{ json_text('payload', ['campaign', 'startDateTime']) }}, ''),
            nullif({{ json_text('payload', ['campaign', 'startDate']) }}, '')
        ) as start_value,
        coalesce(
            nullif({{ json_text('payload', ['campaign', 'endDateTime']) }}, ''),
            nullif({{ json_text('payload', ['campaign', 'endDate']) }}, '')
        ) as end_value,
        is_archived,
        _extracted_at
    from source

),

renamed as (

    select

        ----------  ids
        record_id as campaign_id,
        -- the account (customer id), from the resource name customers/<id>/campaigns/<id>
        {{ regex_group('resource_name', "'^customers/([0-9]+)/'") }} as customer_id,

        ----------  strings
        campaign_name,
        campaign_status,
        advertising_channel_type,

        ----------  booleans
        is_archived,

        ----------  dates
        -- the date part, in the account's time zone; Google's "no end date" is 2037-12-30
        cast(substr(start_value, 1, 10) as date) as start_date,
        cast(substr(end_value, 1, 10) as date) as end_date,
        _extracted_at

    from extracted

)

select * from renamed
