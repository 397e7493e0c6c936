-- Every Meta Ads touch on the touchpoint contract (macros/touchpoints.sql):
--   lead_ad_submission  one per Lead Ads lead, identified by the lead itself: the identity graph links it to its
--                       person through the email and phone typed into the form
--   ad_click            one per fbclid HubSpot captured (form page URLs, contacts' hs_facebook_click_id),
--                       identified by the fbclid. Meta reports clicks only as daily counts, never per click, so
--                       the touch is dated by the first HubSpot record carrying the click id (the landing) and
--                       described by that page's utm_campaign / utm_content, matched to the campaign and ad names.
with

leads as (

    select * from {{ ref('stg_meta_ads__leads') }}
    where not is_archived

),

lead_forms as (

    select * from {{ ref('stg_meta_ads__lead_forms') }}

),

campaigns as (

    select * from {{ ref('stg_meta_ads__campaigns') }}

),

ads as (

    select * from {{ ref('stg_meta_ads__ads') }}

),

{{ ad_click_ctes('fbclid') }},

ad_names as (

    select
        campaign_id,
        lower(ad_name) as ad_name_lower,
        min(ad_id) as ad_id,
        min(ad_name) as ad_name
    from ads
    group by campaign_id, lower(ad_name)
    having count(*) = 1

),

lead_touches as (

    select
        'leads' as source_stream,
        leads.lead_id as source_record_id,
        {{ surrogate_key(["'meta_ads'", "'leads'", 'leads.lead_id']) }} as touch_event_id,
        'meta_lead_id' as person_identifier_type,
        leads.lead_id as person_identifier_value,
        leads.created_at as occurred_at,
        'lead_ad_submission' as touch_type,
        case when leads.is_organic then 'organic_social' else 'paid_social' end as channel,
        coalesce(campaigns.campaign_name, leads.campaign_name) as campaign,
        {{ campaign_key("'meta_ads'", 'leads.campaign_id') }} as campaign_key,
        {{ null_columns(['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'fbclid']) }},
        coalesce(lead_forms.lead_form_name, leads.lead_form_id) as detail
    from leads
    left join lead_forms
        on leads.lead_form_id = lead_forms.lead_form_id
    left join campaigns
        on leads.campaign_id = campaigns.campaign_id

),

click_touches as (

    select
        {{ captured_click_touch_columns('meta_ads', 'fbclid', 'paid_social') }},
        coalesce(ad_names.ad_name, click_id_hits.utm_content) as detail
    from click_id_hits
    left join campaign_names
        on lower(click_id_hits.utm_campaign) = campaign_names.campaign_name_lower
    left join ad_names
        on campaign_names.campaign_id = ad_names.campaign_id
        and lower(click_id_hits.utm_content) = ad_names.ad_name_lower

),

touches as (

    select * from lead_touches
    union all
    select * from click_touches

),

final as (

    {{ select_source_touches('touches', 'meta_ads', available=[
        'touch_event_id', 'person_identifier_type', 'person_identifier_value', 'occurred_at', 'source_stream',
        'source_record_id', 'touch_type', 'channel', 'campaign', 'campaign_key', 'utm_source', 'utm_medium',
        'utm_campaign', 'utm_content', 'utm_term', 'fbclid', 'detail',
    ]) }}

)

select * from final
