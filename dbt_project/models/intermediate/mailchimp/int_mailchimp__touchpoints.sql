-- Every Mailchimp touch on the touchpoint contract (macros/touchpoints.sql), identified by the recipient's email
-- address (normalised): one email_subscribe per audience member (the sign-up), one email_send per campaign
-- recipient (dated by the campaign's send time), one touch per open, click and bounce event, and one
-- email_unsubscribe per member who left the audience.
-- A sign-up is dated by the member's `timestamp_signup` (when they filled in the form; double opt-in lists only)
-- or else `timestamp_opt` (when the opt-in took effect). It is one touch per member whatever interest groups it
-- chose: Mailchimp records one opt-in per member, not one per group. Transactional members never opted in, and a
-- member with neither timestamp cannot be dated (the warn test on stg_mailchimp__list_members names them): neither
-- is a sign-up.
-- Mailchimp's email-activity report lists no unsubscribes (they live in a separate unsubscribed report the
-- connector does not read), so an unsubscribe is the member's `unsubscribed` status, dated by its last change and
-- credited to the last campaign the member received before it; should the activity stream ever carry `unsub`
-- events, those are used instead for that member and campaign.
with

campaigns as (

    select * from {{ ref('stg_mailchimp__campaigns') }}

),

recipients as (

    select * from {{ ref('stg_mailchimp__campaign_recipients') }}
    where not is_archived

),

activities as (

    select * from {{ ref('stg_mailchimp__email_activities') }}
    where not is_archived

),

members as (

    select * from {{ ref('stg_mailchimp__list_members') }}
    where not is_archived

),

lists as (

    select * from {{ ref('stg_mailchimp__lists') }}

),

-- what every touch of a campaign shares
campaign_attributes as (

    select
        campaign_id,
        sent_at,
        subject_line,
        -- the campaign as it appears in utm_campaign of its links (Mailchimp's Google Analytics tracking), else its
        -- title
        coalesce(google_analytics_campaign, campaign_title) as campaign,
        {{ campaign_key("'mailchimp'", 'campaign_id') }} as campaign_key
    from campaigns

),

send_touches as (

    select
        'campaign_recipients' as source_stream,
        recipients.campaign_recipient_id as source_record_id,
        recipients.email_normalized,
        campaign_attributes.sent_at as occurred_at,
        'email_send' as touch_type,
        recipients.list_id,
        recipients.campaign_id,
        {{ null_columns([
            'url', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'fbclid',
            'bounce_type',
        ]) }}
    from recipients
    inner join campaign_attributes
        on recipients.campaign_id = campaign_attributes.campaign_id
    where campaign_attributes.sent_at is not null

),

activity_touches as (

    select
        'email_activity' as source_stream,
        email_activity_id as source_record_id,
        email_normalized,
        occurred_at,
        case action
            when 'open' then 'email_open'
            when 'click' then 'email_click'
            when 'bounce' then 'email_bounce'
            when 'unsub' then 'email_unsubscribe'
            when 'unsubscribe' then 'email_unsubscribe'
            -- an action this model does not know stays visible (and fails fct_touchpoints' accepted values)
            else 'email_' || action
        end as touch_type,
        list_id,
        campaign_id,
        url,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        gclid,
        fbclid,
        bounce_type
    from activities

),

activity_unsubscribes as (

    select distinct member_id
    from activities
    where action in ('unsub', 'unsubscribe')

),

unsubscribed_members as (

    select members.*
    from members
    left join activity_unsubscribes
        on members.member_id = activity_unsubscribes.member_id
    where members.member_status = 'unsubscribed'
        and members.last_changed_at is not null
        and activity_unsubscribes.member_id is null

),

-- the campaign that carried the unsubscribe link: the last one sent to the member before they left
unsubscribe_campaigns as (

    select
        unsubscribed_members.list_member_id,
        recipients.campaign_id,
        row_number() over (
            partition by unsubscribed_members.list_member_id
            order by campaign_attributes.sent_at desc, recipients.campaign_id desc
        ) as campaign_rank
    from unsubscribed_members
    inner join recipients
        on unsubscribed_members.member_id = recipients.member_id
        and unsubscribed_members.list_id = recipients.list_id
    inner join campaign_attributes
        on recipients.campaign_id = campaign_attributes.campaign_id
    where campaign_attributes.sent_at <= unsubscribed_members.last_changed_at

),

member_unsubscribe_touches as (

    select
        'list_members' as source_stream,
        unsubscribed_members.list_member_id as source_record_id,
        unsubscribed_members.email_normalized,
        unsubscribed_members.last_changed_at as occurred_at,
        'email_unsubscribe' as touch_type,
        unsubscribed_members.list_id,
        unsubscribe_campaigns.campaign_id,
        {{ null_columns([
            'url', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'fbclid',
            'bounce_type',
        ]) }}
    from unsubscribed_members
    left join unsubscribe_campaigns
        on unsubscribed_members.list_member_id = unsubscribe_campaigns.list_member_id
        and unsubscribe_campaigns.campaign_rank = 1

),

-- the member joining the audience: no campaign carried it
signup_touches as (

    select
        'list_members' as source_stream,
        list_member_id as source_record_id,
        email_normalized,
        coalesce(signed_up_at, opted_in_at) as occurred_at,
        'email_subscribe' as touch_type,
        list_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        {{ null_columns([
            'url', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'fbclid',
            'bounce_type',
        ]) }}
    from members
    where member_status <> 'transactional'
        and coalesce(signed_up_at, opted_in_at) is not null

),

email_touches as (

    select * from signup_touches
    union all
    select * from send_touches
    union all
    select * from activity_touches
    union all
    select * from member_unsubscribe_touches

),

keyed as (

    select
        email_touches.*,
        -- a member is two touches at most (its sign-up, its unsubscribe): the sign-up's key names its own event
        case
            when email_touches.touch_type = 'email_subscribe'
                then {{ surrogate_key(["'mailchimp'", "'list_member_signups'", 'email_touches.source_record_id']) }}
            else {{ surrogate_key(["'mailchimp'", 'email_touches.source_stream', 'email_touches.source_record_id']) }}
        end as touch_event_id,
        'email' as person_identifier_type,
        email_touches.email_normalized as person_identifier_value
    from email_touches

),

touches as (

    select
        keyed.touch_event_id,
        keyed.person_identifier_type,
        keyed.person_identifier_value,
        keyed.occurred_at,
        keyed.source_stream,
        keyed.source_record_id,
        keyed.touch_type,
        'email' as channel,
        coalesce(keyed.utm_campaign, campaign_attributes.campaign) as campaign,
        campaign_attributes.campaign_key,
        keyed.utm_source,
        keyed.utm_medium,
        keyed.utm_campaign,
        keyed.utm_content,
        keyed.utm_term,
        keyed.gclid,
        keyed.fbclid,
        -- sign-ups: the audience joined; clicks: the link clicked; bounces: hard or soft; everything else: the
        -- subject line
        case
            when keyed.touch_type = 'email_subscribe' then lists.list_name
            when keyed.touch_type = 'email_click' then keyed.url
            when keyed.touch_type = 'email_bounce' then keyed.bounce_type || ' bounce'
            else campaign_attributes.subject_line
        end as detail
    from keyed
    left join campaign_attributes
        on keyed.campaign_id = campaign_attributes.campaign_id
    left join lists
        on keyed.list_id = lists.list_id

),

final as (

    {{ select_source_touches('touches', 'mailchimp', available=[
        'touch_event_id', 'person_identifier_type', 'person_identifier_value', 'occurred_at', 'source_stream',
        'source_record_id', 'touch_type', 'channel', 'campaign', 'campaign_key', 'utm_source', 'utm_medium',
        'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'fbclid', 'detail',
    ]) }}

)

select * from final
