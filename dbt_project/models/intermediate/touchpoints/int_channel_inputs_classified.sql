-- The channel and sub-channel of every kind of touch, one row per distinct combination of what decides it (source,
-- stream, touch type, the source's channel hint, utm_source / utm_medium / utm_campaign, whether a gclid / fbclid
-- is present): classification runs on the few thousand combinations, not on every touch, and fct_touchpoints joins
-- the result back on channel_inputs_hash (a hash of those columns, macro channel_inputs; the *_key columns are
-- lower-cased, empty for null). First match wins:
--   1. user rules (seed channel_rules, by priority): any condition left empty matches anything; patterns are SQL
--      LIKE patterns, case-insensitive; click_id is gclid, fbclid, any or none;
--   2. GA4's default channel grouping (macro default_channel_group) when the touch carries campaign parameters or
--      an ad click id, with the source categories of the seed channel_source_categories;
--   3. the source's own hint (int_<source>__touchpoints' channel: email for Mailchimp, organic_social for social
--      engagement, paid_social for Lead Ads, sales / crm for CRM activity, HubSpot's original source or direct for
--      a form without parameters).
-- Sub-channel: the rule's, else the source (utm_source, else google / facebook for click ids, else the platform:
-- mailchimp, facebook / instagram, the sales or CRM touch type, website for forms).
with

touchpoints as (

    select * from {{ ref('int_touchpoints_unioned') }}

),

rules as (

    select * from {{ ref('channel_rules') }}

),

source_categories as (

    select
        lower(source) as source,
        min(source_category) as source_category
    from {{ ref('channel_source_categories') }}
    group by lower(source)

),

inputs as (

    select distinct
        {%- for name, expression in channel_inputs('touchpoints') %}
        {{ expression }} as {{ name }},
        {%- endfor %}
        {{ row_hash(channel_inputs('touchpoints') | map('last') | list) }} as channel_inputs_hash
    from touchpoints

),

matched_rules as (

    select
        inputs.source_system,
        inputs.source_stream,
        inputs.touch_type,
        inputs.source_channel,
        inputs.utm_source_key,
        inputs.utm_medium_key,
        inputs.utm_campaign_key,
        inputs.has_gclid,
        inputs.has_fbclid,
        rules.rule_name,
        rules.channel,
        nullif(trim(rules.sub_channel), '') as sub_channel,
        row_number() over (
            partition by
                inputs.source_system, inputs.source_stream, inputs.touch_type, inputs.source_channel,
                inputs.utm_source_key, inputs.utm_medium_key, inputs.utm_campaign_key,
                inputs.has_gclid, inputs.has_fbclid
            order by rules.priority, rules.rule_name
        ) as rule_rank
    from inputs
    cross join rules
    where {{ like_rule('inputs.source_system', 'rules.source_system') }}
        and {{ like_rule('inputs.source_stream', 'rules.source_stream') }}
        and {{ like_rule('inputs.touch_type', 'rules.touch_type') }}
        and {{ like_rule('inputs.utm_source_key', 'rules.utm_source') }}
        and {{ like_rule('inputs.utm_medium_key', 'rules.utm_medium') }}
        and {{ like_rule('inputs.utm_campaign_key', 'rules.utm_campaign') }}
        and (
            rules.click_id is null
            or rules.click_id in ('*', 'any') and (inputs.has_gclid or inputs.has_fbclid)
            or rules.click_id = 'gclid' and inputs.has_gclid
            or rules.click_id = 'fbclid' and inputs.has_fbclid
            or rules.click_id = 'none' and not (inputs.has_gclid or inputs.has_fbclid)
        )

),

defaults as (

    select
        inputs.*,
        (
            inputs.utm_source_key <> '' or inputs.utm_medium_key <> '' or inputs.utm_campaign_key <> ''
            or inputs.has_gclid or inputs.has_fbclid
        ) as has_campaign_parameters,
        {{ default_channel_group(
            "nullif(inputs.utm_source_key, '')", "nullif(inputs.utm_medium_key, '')",
            "nullif(inputs.utm_campaign_key, '')", 'source_categories.source_category',
            'inputs.has_gclid', 'inputs.has_fbclid'
        ) }} as default_channel,
        coalesce(
            nullif(inputs.utm_source_key, ''),
            case when inputs.has_gclid then 'google' when inputs.has_fbclid then 'facebook' end
        ) as campaign_source,
        case
            when inputs.source_system = 'mailchimp' then 'mailchimp'
            when inputs.source_system = 'meta_ads' then 'facebook'
            when inputs.source_system = 'google_ads' then 'google'
            when inputs.source_system = 'social' then {{ dbt.split_part('inputs.source_stream', "'_'", 1) }}
            when inputs.source_channel in ('sales', 'crm') then inputs.touch_type
            when inputs.touch_type in ('form_submission', 'web_session') then 'website'
            else inputs.source_system
        end as platform
    from inputs
    left join source_categories
        on inputs.utm_source_key = source_categories.source

),

final as (

    select

        ----------  keys (what fct_touchpoints joins on)
        defaults.source_system,
        defaults.source_stream,
        defaults.touch_type,
        defaults.source_channel,
        defaults.utm_source_key,
        defaults.utm_medium_key,
        defaults.utm_campaign_key,
        defaults.has_gclid,
        defaults.has_fbclid,
        defaults.channel_inputs_hash,

        ----------  strings
        coalesce(
            matched_rules.channel,
            case when defaults.has_campaign_parameters then defaults.default_channel end,
            defaults.source_channel,
            'unassigned'
        ) as channel,
        coalesce(
            matched_rules.sub_channel,
            case when defaults.has_campaign_parameters then defaults.campaign_source end,
            defaults.platform
        ) as sub_channel,
        case
            when matched_rules.rule_name is not null then 'rule: ' || matched_rules.rule_name
            when defaults.has_campaign_parameters then 'default channel group'
            else 'source'
        end as channel_decided_by

    from defaults
    left join matched_rules
        on defaults.source_system = matched_rules.source_system
        and defaults.source_stream = matched_rules.source_stream
        and defaults.touch_type = matched_rules.touch_type
        and coalesce(defaults.source_channel, '') = coalesce(matched_rules.source_channel, '')
        and defaults.utm_source_key = matched_rules.utm_source_key
        and defaults.utm_medium_key = matched_rules.utm_medium_key
        and defaults.utm_campaign_key = matched_rules.utm_campaign_key
        and defaults.has_gclid = matched_rules.has_gclid
        and defaults.has_fbclid = matched_rules.has_fbclid
        and matched_rules.rule_rank = 1

)

select * from final
