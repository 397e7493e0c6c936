{#- campaign_key: the deterministic key of an advertising or email campaign across sources: a hash of the platform
    (`meta_ads`, `google_ads`, `mailchimp`: the source_system vocabulary) and the platform's campaign id; null when
    the campaign id is null. fct_ad_spend_daily and the touches of fct_touchpoints carry the same key, so spend and
    touches join on it. `platform` is a SQL expression (usually a quoted literal). -#}
{% macro campaign_key(platform, campaign_id) -%}
    case when {{ campaign_id }} is not null then {{ journeyhub.surrogate_key([platform, campaign_id]) }} end
{%- endmacro %}


{#- micros_to_units: a money amount in micros (Google Ads `costMicros`, an int64 sent as a string) to currency
    units, exact to the micro: '12340000' -> 12.340000. -#}
{% macro micros_to_units(expr) -%}
    {{ journeyhub.minor_units(
        'cast(nullif(cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ "), '') as " ~ dbt.type_bigint() ~ ')', 6) }}
{%- endmacro %}


{#- numeric_string: a metric sent as a JSON string (Meta insights: "12.34", "1532") to numeric; empty as null. -#}
{% macro numeric_string(expr, data_type=none) -%}
    cast(nullif({{ expr }}, '') as {{ data_type or dbt.type_numeric() }})
{%- endmacro %}


{#-
    ad_click_ctes: the two CTEs an ad platform's touchpoint model (int_google_ads__touchpoints,
    int_meta_ads__touchpoints) builds its HubSpot-captured clicks on: `click_id_hits`, the first HubSpot record
    carrying each click id of `click_id_type` (gclid, fbclid: int_hubspot__click_ids), and `campaign_names`, the
    platform's campaigns (CTE `campaigns`) by lower-cased name, for matching the landing page's utm_campaign. A name
    two campaigns share names neither: a guess would credit the wrong campaign's spend.
-#}
{% macro ad_click_ctes(click_id_type, campaigns='campaigns') -%}
click_id_hits as (

    select * from {{ ref('int_hubspot__click_ids') }}
    where click_id_type = '{{ click_id_type }}'
        and hit_rank = 1

),

-- utm_campaign names a campaign only when the name is unambiguous in the account
campaign_names as (

    select
        lower(campaign_name) as campaign_name_lower,
        min(campaign_id) as campaign_id,
        min(campaign_name) as campaign_name
    from {{ campaigns }}
    group by lower(campaign_name)
    having count(*) = 1

)
{%- endmacro %}


{#-
    captured_click_touch_columns: the touch columns of an ad click known from a click id HubSpot captured (CTE
    `click_id_hits` joined to `campaign_names`, ad_click_ctes), up to and including the click id column itself
    (named for `click_id_type`); the model adds `detail`. Dated by that first HubSpot record (the landing), its
    campaign the matched one, else the landing page's utm_campaign as written.
-#}
{% macro captured_click_touch_columns(platform, click_id_type, channel) -%}
        'click_ids' as source_stream,
        click_id_hits.click_id as source_record_id,
        {{ journeyhub.surrogate_key(["'" ~ platform ~ "'", "'click_ids'", 'click_id_hits.click_id']) }}
            as touch_event_id,
        '{{ click_id_type }}' as person_identifier_type,
        click_id_hits.click_id as person_identifier_value,
        click_id_hits.observed_at as occurred_at,
        'ad_click' as touch_type,
        '{{ channel }}' as channel,
        coalesce(campaign_names.campaign_name, click_id_hits.utm_campaign) as campaign,
        {{ journeyhub.campaign_key("'" ~ platform ~ "'", 'campaign_names.campaign_id') }} as campaign_key,
        click_id_hits.utm_source,
        click_id_hits.utm_medium,
        click_id_hits.utm_campaign,
        click_id_hits.utm_content,
        click_id_hits.utm_term,
        click_id_hits.click_id as {{ click_id_type }}
{%- endmacro %}
