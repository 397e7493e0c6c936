-- One row per Google Ads click (click_view) with its gclid. Google gives the click's day, not its time, and keeps
-- click views for 90 days only.
{{ config(unique_key='click_view_id') }}
with

source as (

    select raw_records.* from {{ source('google_ads', 'click_views') }} as raw_records
    {{ unstaged_records('click_view_id') }}

),

extracted as (

    select
        record_id,
        {{ json_text('payload', ['clickView', 'resourceName']) }} as resource_name,
        {{ json_text('payload', ['clickView', 'gclid']) }} as gclid,
        {{ json_text('payload', ['clickView', 'adGroupAd']) }} as ad_group_ad,
        nullif({{ json_text('payload', ['clickView', 'keywordInfo', 'text']) }}, '') as keyword_text,
        nullif({{ json_text('payload', ['clickView', 'keywordInfo', 'matchType']) }}, '') as keyword_match_type,
        {{ json_text('payload', ['campaign', 'id']) }} as campaign_id,
        {{ json_text('payload', ['adGroup', 'id']) }} as ad_group_id,
        {{ json_text('payload', ['segments', 'date']) }} as segment_date,
        is_archived,
        _extracted_at
    from source

),

renamed as (

    select

        ----------  ids
        record_id as click_view_id,
        gclid,
        {{ regex_group('resource_name', "'^customers/([0-9]+)/'") }} as customer_id,
        campaign_id,
        ad_group_id,
        -- the ad, from the ad group ad resource name customers/<id>/adGroupAds/<ad group id>~<ad id>
        {{ regex_group('ad_group_ad', "'~([0-9]+)$'") }} as ad_id,

        ----------  strings
        keyword_text,
        keyword_match_type,

        ----------  booleans
        is_archived,

        ----------  dates
        -- the day of the click in the account's time zone
        cast(segment_date as date) as click_date,
        _extracted_at

    from extracted

)

select * from renamed
