-- One row per conversion: a touch of fct_touchpoints that a rule of the seed conversion_rules names (deal won,
-- purchase, lead became customer), with its type, value and currency, numbered per person. A won deal usually also
-- moves its contact's lifecycle stage to customer: both are conversions, of different types (pick the types you
-- count, e.g. in attribution); only rules with counts_revenue carry revenue, so a person's revenue is not counted
-- twice. A conversion of a deal or order carries its purchase channel: the CRM's `purchase_channel` of the deal
-- mapped through the seed purchase_channels to the ad platforms' split (WEB / PHONE / IN_STORE and Meta's action
-- source); null where the deal records none or a value the seed lacks (stg_hubspot__deals warns), and for
-- conversions without a deal (lead became customer).
-- Incremental like fct_touchpoints: persons whose timeline fingerprint changed are recomputed (a deal records its
-- channel with its close, so the channel arrives with the closing touch).
{{ person_incremental_config() }}

with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

rules as (

    select * from {{ ref('conversion_rules') }}

),

deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

purchase_channels as (

    select * from {{ ref('purchase_channels') }}

),

{{ changed_person_ctes(scoped={'scoped': 'touchpoints'}) }},

first_touches as (

    select
        person_key,
        min(occurred_at) as first_touch_at
    from scoped
    group by person_key

),

conversions as (

    select
        {{ surrogate_key(['scoped.touchpoint_id', 'rules.conversion_type']) }} as conversion_id,
        scoped.touchpoint_id,
        scoped.person_key,
        scoped.deal_id,
        scoped.source_record_id,
        scoped.owner_id,
        rules.conversion_type,
        scoped.source_system,
        scoped.detail,
        case when rules.counts_revenue then scoped.value_amount end as revenue,
        case when rules.counts_revenue then scoped.currency end as currency,
        rules.counts_revenue,
        purchase_channels.purchase_channel,
        purchase_channels.meta_action_source,
        scoped.occurred_at as converted_at
    from scoped
    inner join rules
        on scoped.touch_type = rules.touch_type
        and (rules.stage_to is null or scoped.stage_to = rules.stage_to)
    left join deals
        on scoped.source_system = 'hubspot'
        and scoped.deal_id = deals.deal_id
    left join purchase_channels
        on deals.purchase_channel = purchase_channels.crm_purchase_channel

),

final as (

    select

        ----------  ids
        conversions.conversion_id,
        conversions.touchpoint_id,
        conversions.person_key,
        conversions.deal_id,
        conversions.source_record_id,
        conversions.owner_id,

        ----------  strings
        conversions.conversion_type,
        conversions.source_system,
        conversions.detail,
        conversions.currency,
        conversions.purchase_channel,
        conversions.meta_action_source,
        fingerprints.person_fingerprint,

        ----------  numerics
        conversions.revenue,
        row_number() over (
            partition by conversions.person_key
            order by conversions.converted_at, conversions.conversion_id
        ) as conversion_number,
        row_number() over (
            partition by conversions.person_key, conversions.conversion_type
            order by conversions.converted_at, conversions.conversion_id
        ) as conversion_type_number,
        {{ seconds_between('first_touches.first_touch_at', 'conversions.converted_at') }}
            as seconds_since_first_touch,

        ----------  booleans
        conversions.counts_revenue,

        ----------  timestamps
        conversions.converted_at

    from conversions
    inner join fingerprints
        on conversions.person_key = fingerprints.person_key
    inner join first_touches
        on conversions.person_key = first_touches.person_key

)

{{ select_person_rows('final', 'changed') }}
