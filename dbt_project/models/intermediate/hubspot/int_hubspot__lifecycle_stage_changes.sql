-- One row per real contact lifecycle stage transition: HubSpot's lifecyclestage history, oldest first, with the
-- stage it came from. Re-setting the current value is not a change and is dropped.
with

history as (

    select * from {{ ref('stg_hubspot__lifecycle_stage_history_entries') }}
    where lifecycle_stage is not null

),

sequenced as (

    {{ hubspot_stage_sequence('lifecycle_stage_history_id', 'contact_id', 'lifecycle_stage') }}

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
