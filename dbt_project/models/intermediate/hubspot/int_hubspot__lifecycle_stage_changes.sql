-- One row per real contact lifecycle stage transition: HubSpot's lifecyclestage history, oldest first, with the
-- stage it came from. Re-setting the current value is not a change and is dropped.
with

history as (

    select * from {{ ref('stg_hubspot__contact_lifecycle_stage_history_entries') }}
    where lifecycle_stage is not null

),

sequenced as (

    select
        lifecycle_stage_history_id,
        contact_id,
        lifecycle_stage as stage_to,
        lag(lifecycle_stage) over (
            partition by contact_id
            -- HubSpot lists history newest first: on equal timestamps the higher index is the older entry
            order by changed_at asc, history_index desc
        ) as stage_from,
        change_source_type,
        updated_by_user_id,
        changed_at
    from history

),

changes as (

    select
        lifecycle_stage_history_id as lifecycle_stage_change_id,
        contact_id,
        stage_from,
        stage_to,
        change_source_type,
        updated_by_user_id,
        changed_at
    from sequenced
    where stage_from is null or stage_from <> stage_to

)

select * from changes
