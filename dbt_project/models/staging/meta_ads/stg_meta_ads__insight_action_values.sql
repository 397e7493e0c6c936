-- One row per ad, day and action type from the insights' `action_values` list: the conversion value (in the
-- account currency) Meta attributes to that action type, e.g. the purchase value of
-- `offsite_conversion.fb_pixel_purchase`.
{{ config(materialized='table') }}  {# a few rows per ad and day: rebuilt in full every run #}
with

source as (

    select * from {{ source('meta_ads', 'ads_insights') }}

),

action_values as (

    {{ json_array_items('source', 'payload', 'action_values', ['record_id']) }}

),

renamed as (

    select

        ----------  ids
        {{ surrogate_key(['record_id', 'item_index']) }} as insight_action_value_id,
        record_id as ad_insight_id,

        ----------  strings
        {{ json_text('item', 'action_type') }} as action_type,

        ----------  numerics
        {{ numeric_string(json_text('item', 'value')) }} as action_value,
        item_index as action_index

    from action_values

)

select * from renamed
