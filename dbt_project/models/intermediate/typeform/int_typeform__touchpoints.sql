-- Every Typeform response as a `survey_response` touch of the person the survey link names (the HubSpot contact
-- id of its hidden field, else its email: both resolve through the identity graph), at submission, with the score
-- on the survey's own scale and the form's title as detail. The survey's type (NPS, CSAT) is in
-- int_typeform__survey_responses (the feedback layer reads it there). `channel` is the source's hint: `crm`, as
-- for HubSpot's own survey answers (seed channel_rules may refine it).
with

survey_responses as (

    select * from {{ ref('int_typeform__survey_responses') }}

),

survey_touches as (

    select
        'responses' as source_stream,
        response_id as source_record_id,
        {{ surrogate_key(["'typeform'", "'responses'", 'response_id']) }} as touch_event_id,
        person_identifier_type,
        person_identifier_value,
        submitted_at as occurred_at,
        'survey_response' as touch_type,
        'crm' as channel,
        survey_name as detail,
        score
    from survey_responses

),

final as (

    {{ select_source_touches('survey_touches', 'typeform', [
        'source_stream', 'source_record_id', 'touch_event_id', 'person_identifier_type', 'person_identifier_value',
        'occurred_at', 'touch_type', 'channel', 'detail', 'score']) }}

)

select * from final
