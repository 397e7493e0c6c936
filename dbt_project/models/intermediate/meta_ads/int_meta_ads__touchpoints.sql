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

click_id_hits as (

    select * from {{ ref('int_hubspot__click_ids') }}
    where click_id_type = 'fbclid'
        and hit_rank = 1

),

-- utm_campaign names a campaign only when the name is unambiguous in the account
campaign_names as (

    select
        lower(campaign_name) as campaign_name_lower,
        min(campaign_id) as campaign_id,
        min(campaign_name) as campaign_name
    from campaigns
    group by lower(campaign_name)
    having count(*) = 1

),

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
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as utm_content,
        cast(null as {{ dbt.type_string() }}) as utm_term,
        cast(null as {{ dbt.type_string() }}) as fbclid,
        coalesce(lead_forms.lead_form_name, leads.lead_form_id) as detail
    from leads
    left join lead_forms
        on leads.lead_form_id = lead_forms.lead_form_id
    left join campaigns
        on leads.campaign_id = campaigns.campaign_id

),

click_touches as (

    select
        'click_ids' as source_stream,
        click_id_hits.click_id as source_record_id,
        {{ surrogate_key(["'meta_ads'", "'click_ids'", 'click_id_hits.click_id']) }} as touch_event_id,
        'fbclid' as person_identifier_type,
        click_id_hits.click_id as person_identifier_value,
        click_id_hits.observed_at as occurred_at,
        'ad_click' as touch_type,
        'paid_social' as channel,
        coalesce(campaign_names.campaign_name, click_id_hits.utm_campaign) as campaign,
        {{ campaign_key("'meta_ads'", 'campaign_names.campaign_id') }} as campaign_key,
        click_id_hits.utm_source,
        click_id_hits.utm_medium,
        click_id_hits.utm_campaign,
        click_id_hits.utm_content,
        click_id_hits.utm_term,
        click_id_hits.click_id as fbclid,
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

    select
        {{ surrogate_key(['touch_event_id', 'person_identifier_type', 'person_identifier_value']) }} as touch_id,
        touch_event_id,
        person_identifier_type,
        person_identifier_value,
        occurred_at,
        'meta_ads' as source_system,
        source_stream,
        source_record_id,
        touch_type,
        channel,
        campaign,
        campaign_key,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        cast(null as {{ dbt.type_string() }}) as gclid,
        fbclid,
        cast(null as {{ dbt.type_string() }}) as owner_id,
        cast(null as {{ dbt.type_string() }}) as deal_id,
        cast(null as {{ dbt.type_string() }}) as stage_from,
        cast(null as {{ dbt.type_string() }}) as stage_to,
        detail,
        cast(null as {{ dbt.type_numeric() }}) as score,
        cast(null as {{ dbt.type_numeric() }}) as value_amount,
        cast(null as {{ dbt.type_string() }}) as currency
    from touches

)

select * from final
