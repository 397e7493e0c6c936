-- Every source's touchpoints in one relation, on the shared column contract (macros/touchpoints.sql).
-- To add a source, build its int_<source>__touchpoints model on that contract and add it to this list.
-- A table: fct_touchpoints reads it in several narrow passes and one wide one, and the per-source views behind it
-- (joins over the staging tables) are computed once per run.
{{ config(materialized='table') }}
{%- set touchpoint_models = [
    ref('int_hubspot__touchpoints'),
    ref('int_hubspot__event_touchpoints'),
    ref('int_mailchimp__touchpoints'),
    ref('int_meta_ads__touchpoints'),
    ref('int_google_ads__touchpoints'),
    ref('int_social__touchpoints'),
    ref('int_web__touchpoints'),
    ref('int_typeform__touchpoints'),
    ref('int_trustpilot__touchpoints'),
] %}

with

{% for model in touchpoint_models %}
{{ model.identifier }} as (

    {{ select_touchpoint_columns(model) }}

),

{% endfor %}
unioned as (

    {% for model in touchpoint_models %}
    select * from {{ model.identifier }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- computed once here, so fct_touchpoints works on narrow columns: touch_hash (every contract column) tells which
-- persons' touches changed, channel_inputs_hash (what decides the channel) joins int_channel_inputs_classified
hashed as (

    select
        unioned.*,
        {{ row_hash(touch_contract_columns('unioned')) }} as touch_hash,
        {{ row_hash(channel_inputs('unioned') | map('last') | list) }} as channel_inputs_hash
    from unioned

)

select * from hashed
