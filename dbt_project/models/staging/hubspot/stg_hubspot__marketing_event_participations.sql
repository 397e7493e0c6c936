-- One row per participation state a contact reached at a marketing event (the participations breakdown):
-- REGISTERED, then CANCELLED, ATTENDED or NO_SHOW, each its own record. Typed and renamed only.
{{ config(unique_key='participation_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'marketing_event_participations') }} as raw_records
    {{ unstaged_records('participation_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as participation_id,
        {{ json_text('payload', ['associations', 'contact', 'contactId']) }} as contact_id,
        {{ json_text('payload', ['associations', 'marketingEvent', 'marketingEventId']) }} as marketing_event_id,
        {{ json_text('payload', ['associations', 'marketingEvent', 'externalEventId']) }} as external_event_id,
        {{ json_text('payload', ['associations', 'marketingEvent', 'externalAccountId']) }} as external_account_id,

        ----------  strings
        {{ normalize_email(json_text('payload', ['associations', 'contact', 'email'])) }} as contact_email_normalized,
        {{ json_text('payload', ['associations', 'marketingEvent', 'name']) }} as event_name,
        upper({{ json_text('payload', ['properties', 'attendanceState']) }}) as attendance_state,

        ----------  numerics
        -- on ATTENDED only; HubSpot sends the percentage as a string
        cast({{ json_text('payload', ['properties', 'attendanceDurationSeconds']) }} as {{ dbt.type_bigint() }})
            as attendance_duration_seconds,
        cast(nullif({{ json_text('payload', ['properties', 'attendancePercentage']) }}, '') as {{ dbt.type_numeric() }})
            as attendance_percentage,

        ----------  booleans
        is_archived,

        ----------  timestamps
        {{ epoch_ms_to_timestamp(json_text('payload', ['properties', 'occurredAt'])) }} as occurred_at,
        {{ iso_to_timestamp(json_text('payload', 'createdAt')) }} as created_at,
        _extracted_at

    from source

)

select * from renamed
