{{ config(unique_key='task_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'tasks') }} as raw_records
    {{ unstaged_records('task_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as task_id,
        {{ hubspot_property('hubspot_owner_id') }} as owner_id,

        ----------  strings
        {{ hubspot_property('hs_task_subject') }} as task_subject,
        -- NOT_STARTED | IN_PROGRESS | WAITING | COMPLETED | DEFERRED
        upper({{ hubspot_property('hs_task_status') }}) as task_status,
        {{ hubspot_property('hs_task_priority') }} as task_priority,
        {{ hubspot_property('hs_task_type') }} as task_type,

        ----------  booleans
        is_archived,

        ----------  timestamps
        -- a task's hs_timestamp is its due date
        {{ iso_to_timestamp(hubspot_property('hs_timestamp')) }} as due_at,
        {{ iso_to_timestamp(hubspot_property('hs_task_completion_date')) }} as completed_at,
        {{ iso_to_timestamp(hubspot_property('hs_createdate')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        _extracted_at

    from source

)

select * from renamed
