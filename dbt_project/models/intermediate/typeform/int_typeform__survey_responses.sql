-- One row per submitted Typeform response with what the timeline needs: who (the survey link's HubSpot contact id,
-- else its email), the survey (form title) and its type, read from the scored question's scale: an opinion scale
-- of 0-10 is NPS, a rating of 1-5 CSAT (the type the feedback layer reads; anything else is CUSTOM), and the score
-- on that scale. A response without a contact id or an email stays, with no identifier (it becomes an unresolved
-- touch, not a lost one).
with

responses as (

    select * from {{ ref('stg_typeform__responses') }}
    where not is_archived

),

forms as (

    select * from {{ ref('stg_typeform__forms') }}

),

form_fields as (

    select * from {{ ref('stg_typeform__form_fields') }}

),

typed as (

    select
        responses.response_id,
        responses.form_id,
        responses.hidden_contact_id,
        responses.hidden_email_normalized,
        responses.score_value,
        responses.submitted_at,
        coalesce(forms.form_title, responses.form_id) as survey_name,
        case
            when responses.score_field_type = 'nps' then 'NPS'
            when responses.score_field_type = 'opinion_scale'
                and coalesce(form_fields.scale_steps, 11) = 11
                and not coalesce(form_fields.starts_at_one, false) then 'NPS'
            when responses.score_field_type = 'rating' and coalesce(form_fields.scale_steps, 5) = 5 then 'CSAT'
            when responses.score_field_type is not null then 'CUSTOM'
        end as survey_type
    from responses
    left join forms
        on responses.form_id = forms.form_id
    left join form_fields
        on responses.form_id = form_fields.form_id
        and responses.score_field_ref = form_fields.field_ref

),

final as (

    select

        ----------  ids
        response_id,
        form_id,
        -- the contact id the CRM merged into the link wins; links sent by an email tool carry only the address
        case
            when hidden_contact_id is not null then 'hubspot_contact_id'
            when hidden_email_normalized is not null then 'email'
        end as person_identifier_type,
        coalesce(hidden_contact_id, hidden_email_normalized) as person_identifier_value,

        ----------  strings
        survey_name,
        survey_type,

        ----------  numerics
        score_value as score,

        ----------  timestamps
        submitted_at

    from typed

)

select * from final
