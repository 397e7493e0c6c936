-- One row per real deal stage transition: HubSpot's dealstage history, oldest first, with the stage it came from
-- and the deal amount in effect at that moment (amount history). Re-setting the current value (the same stage
-- twice in a row) is not a change and is dropped.
with

history as (

    select * from {{ ref('stg_hubspot__deal_stage_history_entries') }}
    where deal_stage is not null

),

amount_history as (

    select * from {{ ref('stg_hubspot__deal_amount_history_entries') }}
    where amount is not null

),

deal_stages as (

    select * from {{ ref('hubspot_deal_stages') }}

),

sequenced as (

    {{ hubspot_stage_sequence('deal_stage_history_id', 'deal_id', 'deal_stage') }}

),

changes as (

    select * from sequenced
    where stage_from is null or stage_from <> stage_to

),

-- the latest amount set at or before each change (a deal has only a handful of amount entries)
amounts_at_change as (

    select
        changes.deal_stage_history_id,
        amount_history.amount,
        row_number() over (
            partition by changes.deal_stage_history_id
            order by amount_history.changed_at desc, amount_history.history_index asc
        ) as amount_rank
    from changes
    inner join amount_history
        on changes.deal_id = amount_history.deal_id
        and changes.changed_at >= amount_history.changed_at

),

classified as (

    select
        changes.deal_stage_history_id as deal_stage_change_id,
        changes.deal_id,
        changes.stage_from,
        changes.stage_to,
        deal_stages.pipeline_id,
        deal_stages.pipeline_type,
        deal_stages.stage_label as stage_to_label,
        coalesce(deal_stages.is_closed, false) as is_closed,
        coalesce(deal_stages.is_won, false) as is_won,
        case
            when deal_stages.is_won and deal_stages.pipeline_type = 'ecommerce' then 'purchase'
            when deal_stages.is_won then 'deal_won'
            when deal_stages.is_closed then 'deal_lost'
            when changes.stage_from is null then 'deal_created'
            else 'deal_stage_changed'
        end as change_type,
        amounts_at_change.amount,
        changes.change_source_type,
        changes.updated_by_user_id,
        changes.changed_at
    from changes
    left join deal_stages
        on changes.stage_to = deal_stages.stage_id
    left join amounts_at_change
        on changes.deal_stage_history_id = amounts_at_change.deal_stage_history_id
        and amounts_at_change.amount_rank = 1

)

select * from classified
