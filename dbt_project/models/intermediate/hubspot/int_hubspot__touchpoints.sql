-- Every HubSpot touch, one row per touch and person identifier: form submissions (identified by the submission
-- itself, which the identity graph links to its submitter through the typed email, phone and page click ids),
-- engagements and survey answers (one row per associated contact), deal stage changes (one row per contact
-- associated with the deal) and contact lifecycle stage changes. Person resolution happens
-- downstream (int_identity_nodes_resolved); this model only says which identifier each touch carries.
-- A referral is the referrer's own touch: their submission of the referral form (seed stage_rules makes it
-- advocacy). The referrer_email a referred person types on their own form is no touch of anyone: one referral
-- link can bring in several people, and their forms say when they arrived, not when the referral was given.
-- Archived engagements, deals, surveys and submissions are dropped; archived contacts keep their history.
-- `channel` is the source's own hint (sales activity `sales`, CRM changes `crm`, a form without campaign
-- parameters the contact's HubSpot original source for the address's first submission, else `direct`);
-- int_channel_inputs_classified turns campaign parameters into the final channel.
with

form_submissions as (

    select * from {{ ref('stg_hubspot__form_submissions') }}
    where not is_archived

),

form_submission_values as (

    select * from {{ ref('stg_hubspot__form_submission_values') }}

),

forms as (

    select * from {{ ref('stg_hubspot__forms') }}

),

associations as (

    select * from {{ ref('stg_hubspot__associations') }}

),

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

deal_stage_changes as (

    select * from {{ ref('int_hubspot__deal_stage_changes') }}

),

lifecycle_stage_changes as (

    select * from {{ ref('int_hubspot__lifecycle_stage_changes') }}

),

feedback_submissions as (

    select * from {{ ref('stg_hubspot__feedback_submissions') }}
    where not is_archived

),

meetings as (

    select * from {{ ref('stg_hubspot__meetings') }}

),

meetings_observed_until as (

    select max(updated_at) as observed_until from meetings

),

engagements as (

    select
        'emails' as source_stream,
        'email' as object_type,
        email_id as engagement_id,
        case when email_direction = 'INCOMING_EMAIL' then 'inbound_email' else 'sales_email' end as touch_type,
        owner_id,
        email_subject as detail,
        coalesce(occurred_at, created_at) as occurred_at
    from {{ ref('stg_hubspot__emails') }}
    where not is_archived

    union all

    select
        'calls' as source_stream,
        'call' as object_type,
        call_id as engagement_id,
        'call' as touch_type,
        owner_id,
        call_title as detail,
        coalesce(occurred_at, created_at) as occurred_at
    from {{ ref('stg_hubspot__calls') }}
    where not is_archived

    union all

    select
        'meetings' as source_stream,
        'meeting' as object_type,
        meetings.meeting_id as engagement_id,
        'meeting' as touch_type,
        meetings.owner_id,
        meetings.meeting_title as detail,
        coalesce(meetings.occurred_at, meetings.created_at) as occurred_at
    from meetings
    cross join meetings_observed_until
    where not meetings.is_archived
        -- a meeting booked for later has not happened yet: HubSpot holds it as SCHEDULED with a start after
        -- the latest change it reports for any meeting (its clock, as far as the data tells)
        and not (
            meetings.meeting_outcome = 'SCHEDULED'
            and meetings.occurred_at > meetings_observed_until.observed_until
        )

    union all

    select
        'notes' as source_stream,
        'note' as object_type,
        note_id as engagement_id,
        'note' as touch_type,
        owner_id,
        -- note bodies are free text (and may hold personal data): not copied into the timeline
        cast(null as {{ dbt.type_string() }}) as detail,
        coalesce(occurred_at, created_at) as occurred_at
    from {{ ref('stg_hubspot__notes') }}
    where not is_archived

    union all

    select
        'tasks' as source_stream,
        'task' as object_type,
        task_id as engagement_id,
        'task' as touch_type,
        owner_id,
        task_subject as detail,
        -- the touch is the rep creating the follow-up; hs_timestamp is only its due date
        created_at as occurred_at
    from {{ ref('stg_hubspot__tasks') }}
    where not is_archived

),

-- associations -------------------------------------------------------------------------------------------------

record_contacts as (

    select
        from_object_type,
        from_object_id,
        to_object_id as contact_id
    from associations
    where to_object_type = 'contact'

),

-- an engagement logged against several deals counts towards the lowest deal id (deterministic)
engagement_deals as (

    select
        from_object_type,
        from_object_id,
        min(to_object_id) as deal_id
    from associations
    where to_object_type = 'deal'
        and from_object_type in ('email', 'call', 'meeting', 'note', 'task')
    group by from_object_type, from_object_id

),

-- form submissions ---------------------------------------------------------------------------------------------

submission_emails as (

    {{ hubspot_submission_emails() }}

),

submissions_ranked as (

    select
        form_submissions.*,
        submission_emails.email_normalized,
        row_number() over (
            partition by submission_emails.email_normalized
            order by form_submissions.submitted_at, form_submissions.conversion_id
        ) as email_submission_rank
    from form_submissions
    left join submission_emails
        on form_submissions.conversion_id = submission_emails.conversion_id

),

-- HubSpot keeps one contact per email address; its original source (hs_analytics_source) describes the visit
-- that brought the address in, so it is the channel fallback for that address's first submission only
email_original_sources as (

    select
        email_normalized,
        {{ hubspot_analytics_channel('analytics_source') }} as original_channel,
        row_number() over (
            partition by email_normalized
            order by created_at, contact_id
        ) as contact_rank
    from contacts
    where email_normalized is not null

),

form_submission_touches as (

    select
        'form_submissions' as source_stream,
        submissions_ranked.conversion_id as source_record_id,
        {{ surrogate_key(["'hubspot'", "'form_submissions'", 'submissions_ranked.conversion_id']) }}
            as touch_event_id,
        'hubspot_form_submission_id' as person_identifier_type,
        submissions_ranked.conversion_id as person_identifier_value,
        submissions_ranked.submitted_at as occurred_at,
        'form_submission' as touch_type,
        coalesce(email_original_sources.original_channel, 'direct') as channel,
        submissions_ranked.utm_campaign as campaign,
        submissions_ranked.utm_source,
        submissions_ranked.utm_medium,
        submissions_ranked.utm_campaign,
        submissions_ranked.utm_content,
        submissions_ranked.utm_term,
        submissions_ranked.gclid,
        submissions_ranked.fbclid,
        coalesce(forms.form_name, submissions_ranked.form_id) as detail
    from submissions_ranked
    left join forms
        on submissions_ranked.form_id = forms.form_id
    left join email_original_sources
        on submissions_ranked.email_normalized = email_original_sources.email_normalized
        and submissions_ranked.email_submission_rank = 1
        and email_original_sources.contact_rank = 1

),

-- sales activity -----------------------------------------------------------------------------------------------

engagement_touches as (

    select
        engagements.source_stream,
        engagements.engagement_id as source_record_id,
        {{ surrogate_key(["'hubspot'", 'engagements.source_stream', 'engagements.engagement_id']) }}
            as touch_event_id,
        'hubspot_contact_id' as person_identifier_type,
        record_contacts.contact_id as person_identifier_value,
        engagements.occurred_at,
        engagements.touch_type,
        'sales' as channel,
        engagements.owner_id,
        engagement_deals.deal_id,
        engagements.detail
    from engagements
    inner join record_contacts
        on engagements.object_type = record_contacts.from_object_type
        and engagements.engagement_id = record_contacts.from_object_id
    left join engagement_deals
        on engagements.object_type = engagement_deals.from_object_type
        and engagements.engagement_id = engagement_deals.from_object_id

),

-- deal stage changes -------------------------------------------------------------------------------------------

deal_stage_touches as (

    select
        'deals' as source_stream,
        deal_stage_changes.deal_id as source_record_id,
        {{ surrogate_key(["'hubspot'", "'deals'", 'deal_stage_changes.deal_stage_change_id']) }}
            as touch_event_id,
        'hubspot_contact_id' as person_identifier_type,
        record_contacts.contact_id as person_identifier_value,
        deal_stage_changes.changed_at as occurred_at,
        deal_stage_changes.change_type as touch_type,
        'crm' as channel,
        deals.owner_id,
        deal_stage_changes.deal_id,
        deal_stage_changes.stage_from,
        deal_stage_changes.stage_to,
        deals.deal_name as detail,
        -- the amount in effect when the stage changed, else the deal's current amount
        coalesce(deal_stage_changes.amount, deals.amount) as value_amount,
        deals.currency_code as currency
    from deal_stage_changes
    inner join deals
        on deal_stage_changes.deal_id = deals.deal_id
    inner join record_contacts
        on record_contacts.from_object_type = 'deal'
        and deal_stage_changes.deal_id = record_contacts.from_object_id
    where not deals.is_archived

),

-- contact lifecycle stage changes ------------------------------------------------------------------------------

lifecycle_stage_touches as (

    select
        'contacts' as source_stream,
        lifecycle_stage_changes.contact_id as source_record_id,
        {{ surrogate_key(["'hubspot'", "'contacts'", 'lifecycle_stage_changes.lifecycle_stage_change_id']) }}
            as touch_event_id,
        'hubspot_contact_id' as person_identifier_type,
        lifecycle_stage_changes.contact_id as person_identifier_value,
        lifecycle_stage_changes.changed_at as occurred_at,
        'lifecycle_stage_changed' as touch_type,
        'crm' as channel,
        contacts.owner_id,
        lifecycle_stage_changes.stage_from,
        lifecycle_stage_changes.stage_to
    from lifecycle_stage_changes
    inner join contacts
        on lifecycle_stage_changes.contact_id = contacts.contact_id

),

-- survey responses ---------------------------------------------------------------------------------------------

survey_touches as (

    select
        'feedback_submissions' as source_stream,
        feedback_submissions.feedback_submission_id as source_record_id,
        {{ surrogate_key(["'hubspot'", "'feedback_submissions'", 'feedback_submissions.feedback_submission_id']) }}
            as touch_event_id,
        'hubspot_contact_id' as person_identifier_type,
        record_contacts.contact_id as person_identifier_value,
        coalesce(feedback_submissions.submitted_at, feedback_submissions.created_at) as occurred_at,
        'survey_response' as touch_type,
        'crm' as channel,
        coalesce(feedback_submissions.survey_name, feedback_submissions.survey_type) as detail,
        feedback_submissions.response_value as score
    from feedback_submissions
    inner join record_contacts
        on record_contacts.from_object_type = 'feedback_submission'
        and feedback_submissions.feedback_submission_id = record_contacts.from_object_id

),

-- all together -------------------------------------------------------------------------------------------------

{%- set common = ['source_stream', 'source_record_id', 'touch_event_id', 'person_identifier_type',
                  'person_identifier_value', 'occurred_at', 'touch_type', 'channel'] %}

unioned as (

    {{ select_touchpoint_columns('form_submission_touches', common + [
        'campaign', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'fbclid',
        'detail']) }}

    union all

    {{ select_touchpoint_columns('engagement_touches', common + ['owner_id', 'deal_id', 'detail']) }}

    union all

    {{ select_touchpoint_columns('deal_stage_touches', common + [
        'owner_id', 'deal_id', 'stage_from', 'stage_to', 'detail', 'value_amount', 'currency']) }}

    union all

    {{ select_touchpoint_columns('lifecycle_stage_touches', common + ['owner_id', 'stage_from', 'stage_to']) }}

    union all

    {{ select_touchpoint_columns('survey_touches', common + ['detail', 'score']) }}

),

final as (

    {{ select_source_touches('unioned', 'hubspot') }}

)

select * from final
