-- Every Google Ads click on the touchpoint contract (macros/touchpoints.sql), identified by its gclid:
--   * one ad_click per click view; int_identity_nodes_resolved resolves the gclids HubSpot captured (contacts'
--     hs_google_click_id, form page URLs) to people, the rest (clicks of people who never reached a form) stay
--     unresolved. Google reports the click's day, not its time: the touch is dated by the first HubSpot record
--     carrying the gclid when that record is from the click's day (the landing), else at the start of the day.
--   * one ad_click per gclid HubSpot captured that no click view lists (Google serves click views for the last
--     90 days only), dated by the first HubSpot record carrying it and matched to its campaign through the
--     landing page's utm_campaign (unambiguous campaign names only).
with

click_views as (

    select * from {{ ref('stg_google_ads__click_views') }}
    where not is_archived

),

campaigns as (

    select * from {{ ref('stg_google_ads__campaigns') }}

),

ad_groups as (

    select * from {{ ref('stg_google_ads__ad_groups') }}

),

{{ ad_click_ctes('gclid') }},

click_view_touches as (

    select
        'click_views' as source_stream,
        click_views.click_view_id as source_record_id,
        {{ surrogate_key(["'google_ads'", "'click_views'", 'click_views.click_view_id']) }} as touch_event_id,
        'gclid' as person_identifier_type,
        click_views.gclid as person_identifier_value,
        case
            when cast(click_id_hits.observed_at as date) = click_views.click_date then click_id_hits.observed_at
            else cast(click_views.click_date as {{ dbt.type_timestamp() }})
        end as occurred_at,
        'ad_click' as touch_type,
        'paid_search' as channel,
        coalesce(campaigns.campaign_name, click_id_hits.utm_campaign) as campaign,
        {{ campaign_key("'google_ads'", 'click_views.campaign_id') }} as campaign_key,
        click_id_hits.utm_source,
        click_id_hits.utm_medium,
        click_id_hits.utm_campaign,
        click_id_hits.utm_content,
        -- the keyword that triggered the ad, else the landing page's utm_term
        coalesce(click_views.keyword_text, click_id_hits.utm_term) as utm_term,
        click_views.gclid,
        -- ad group and keyword (with match type)
        coalesce(ad_groups.ad_group_name, click_views.ad_group_id) || coalesce(
            ': ' || click_views.keyword_text || ' (' || lower(click_views.keyword_match_type) || ')', ''
        ) as detail
    from click_views
    left join campaigns
        on click_views.campaign_id = campaigns.campaign_id
    left join ad_groups
        on click_views.ad_group_id = ad_groups.ad_group_id
    left join click_id_hits
        on click_views.gclid = click_id_hits.click_id

),

hubspot_only_touches as (

    select
        {{ captured_click_touch_columns('google_ads', 'gclid', 'paid_search') }},
        click_id_hits.utm_term as detail
    from click_id_hits
    left join click_views
        on click_id_hits.click_id = click_views.gclid
    left join campaign_names
        on lower(click_id_hits.utm_campaign) = campaign_names.campaign_name_lower
    where click_views.gclid is null

),

click_touches as (

    select * from click_view_touches
    union all
    select * from hubspot_only_touches

),

final as (

    {{ select_source_touches('click_touches', 'google_ads', available=[
        'touch_event_id', 'person_identifier_type', 'person_identifier_value', 'occurred_at', 'source_stream',
        'source_record_id', 'touch_type', 'channel', 'campaign', 'campaign_key', 'utm_source', 'utm_medium',
        'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'detail',
    ]) }}

)

select * from final
