-- One row per submitted Typeform response: its form, when it was submitted, the person the survey link carried in
-- its hidden fields (a HubSpot contact id, or only the email) and the answer to its scored question (the first
-- opinion_scale or rating answer). Typed and renamed only; every answer is in stg_typeform__answers.
{{ config(unique_key='response_id') }}
with

source as (

    select raw_records.* from {{ source('typeform', 'responses') }} as raw_records
    {{ unstaged_records('response_id') }}

),

answers as (

    {{ json_array_items('source', 'payload', 'answers', ['record_id']) }}

),

-- the scored answer of each response (NPS and CSAT forms have one scale question)
scores as (

    select
        record_id,
        {{ json_text('item', ['field', 'ref']) }} as score_field_ref,
        {{ json_text('item', ['field', 'type']) }} as score_field_type,
        cast({{ json_text('item', 'number') }} as {{ dbt.type_numeric() }}) as score_value,
        row_number() over (
            partition by record_id
            order by item_index
        ) as score_rank
    from answers
    where {{ json_text('item', ['field', 'type']) }} in ('opinion_scale', 'rating', 'nps')

),

renamed as (

    select

        ----------  ids
        source.record_id as response_id,
        {{ json_text('source.payload', 'form_id') }} as form_id,
        {{ json_text('source.payload', 'token') }} as response_token,
        {{ json_text('source.payload', 'landing_id') }} as landing_id,
        -- the hidden fields of the survey link: a HubSpot contact id (blank on links sent without it) and the email
        nullif(trim({{ json_text('source.payload', ['hidden', 'contact_id']) }}), '') as hidden_contact_id,
        nullif(trim({{ json_text('source.payload', ['hidden', 'email']) }}), '') as hidden_email,
        {{ normalize_email(json_text('source.payload', ['hidden', 'email'])) }} as hidden_email_normalized,

        ----------  strings
        {{ json_text('source.payload', 'response_type') }} as response_type,
        {{ json_text('source.payload', ['metadata', 'platform']) }} as platform,
        {{ json_text('source.payload', ['metadata', 'browser']) }} as browser,
        scores.score_field_ref,
        scores.score_field_type,

        ----------  numerics
        scores.score_value,
        cast({{ json_text('source.payload', ['calculated', 'score']) }} as {{ dbt.type_numeric() }})
            as calculated_score,

        ----------  booleans
        source.is_archived,

        ----------  timestamps
        {{ iso_to_timestamp(json_text('source.payload', 'landed_at')) }} as landed_at,
        {{ iso_to_timestamp(json_text('source.payload', 'submitted_at')) }} as submitted_at,
        source._extracted_at

    from source
    left join scores
        on source.record_id = scores.record_id
        and scores.score_rank = 1

)

select * from renamed
