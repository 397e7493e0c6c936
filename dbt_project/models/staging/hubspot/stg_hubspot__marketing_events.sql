-- One row per HubSpot marketing event (Marketing Events API): webinars, workshops, meetups and trade shows, with
-- their dates, organiser and HubSpot's counters. Typed and renamed only.
{{ config(unique_key='marketing_event_id') }}
with

source as (

    select raw_records.* from {{ source('hubspot', 'marketing_events') }} as raw_records
    {{ unstaged_records('marketing_event_id') }}

),

renamed as (

    select

        ----------  ids
        record_id as marketing_event_id,
        {{ json_text('payload', 'externalEventId') }} as external_event_id,
        {{ json_text('payload', ['appInfo', 'id']) }} as app_id,

        ----------  strings
        {{ json_text('payload', 'eventName') }} as event_name,
        -- WEBINAR, WORKSHOP, MEETUP, TRADE_SHOW, ... (free text in HubSpot: upper-cased here)
        upper(nullif({{ json_text('payload', 'eventType') }}, '')) as event_type,
        nullif({{ json_text('payload', 'eventOrganizer') }}, '') as event_organizer,
        nullif({{ json_text('payload', 'eventUrl') }}, '') as event_url,
        nullif({{ json_text('payload', 'eventDescription') }}, '') as event_description,
        {{ json_text('payload', ['appInfo', 'name']) }} as app_name,

        ----------  numerics
        cast({{ json_text('payload', 'registrants') }} as {{ dbt.type_bigint() }}) as registrants,
        cast({{ json_text('payload', 'attendees') }} as {{ dbt.type_bigint() }}) as attendees,
        cast({{ json_text('payload', 'cancellations') }} as {{ dbt.type_bigint() }}) as cancellations,
        cast({{ json_text('payload', 'noShows') }} as {{ dbt.type_bigint() }}) as no_shows,

        ----------  booleans
        coalesce(cast({{ json_text('payload', 'eventCancelled') }} as boolean), false) as is_cancelled,
        coalesce(cast({{ json_text('payload', 'eventCompleted') }} as boolean), false) as is_completed,
        is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('payload', 'startDateTime')) }} as starts_at,
        {{ iso_to_timestamp(json_text('payload', 'endDateTime')) }} as ends_at,
        {{ iso_to_timestamp(json_text('payload', 'createdAt')) }} as created_at,
        {{ iso_to_timestamp(json_text('payload', 'updatedAt')) }} as updated_at,
        _extracted_at

    from source

)

select * from renamed
