-- One row per ad, day and action type from the insights' `actions` list ({action_type, value}, value a string).
-- Meta reports overlapping types (an aggregate such as `lead` next to its parts such as
-- `offsite_conversion.fb_pixel_lead`): which ones count as conversions is decided downstream
-- (int_meta_ads__insight_conversions, seed meta_ads_conversion_action_types), never by summing all of them.
{{ config(materialized='table') }}  {# a few rows per ad and day: rebuilt in full every run #}
with

source as (

    select * from {{ source('meta_ads', 'ads_insights') }}

),

actions as (

    {{ json_array_items('source', 'payload', 'actions', ['record_id']) }}

),

renamed as (

    select

        ----------  ids
        {{ surrogate_key(['record_id', 'item_index']) }} as insight_action_id,
        record_id as ad_insight_id,

        ----------  strings
        {{ json_text('item', 'action_type') }} as action_type,

        ----------  numerics
        -- the count under the insights request's attribution setting (the account default unless asked otherwise)
        {{ numeric_string(json_text('item', 'value')) }} as action_count,
        item_index as action_index

    from actions

)

select * from renamed
