{#-
    default_channel_group: GA4's default channel grouping (https://support.google.com/analytics/answer/9756891),
    in lower snake case, for a touch with marketing parameters. Inputs are lower-cased SQL expressions:
    `source` (utm_source, else the referrer host), `medium`, `campaign`, `source_category` (the source's category in
    the seed channel_source_categories: search, social, shopping, video; null when unknown), and booleans for the ad
    click ids. Click ids extend GA4 the way PostHog does: a gclid is paid search, an fbclid paid social (unless the
    medium says otherwise). Returns one of: cross_network, paid_shopping, paid_search, paid_social, paid_video,
    display, paid_other, organic_shopping, organic_social, organic_video, organic_search, referral, email,
    affiliates, audio, sms, mobile_push, unassigned. Touches without any marketing parameter never reach it (see
    int_channel_inputs_classified).
-#}
{% macro default_channel_group(source, medium, campaign, source_category, has_gclid='false', has_fbclid='false') -%}
    {%- set paid_medium = "(" ~ medium ~ " like '%cp%' or " ~ medium ~ " in ('ppc', 'retargeting') or "
        ~ medium ~ " like 'paid%')" -%}
    {%- set shop_campaign = "(" ~ campaign ~ " like '%shop%')" -%}
    case
        when {{ campaign }} like '%cross-network%' then 'cross_network'
        when ({{ source_category }} = 'shopping' or {{ shop_campaign }}) and {{ paid_medium }} then 'paid_shopping'
        when {{ source_category }} = 'search' and {{ paid_medium }} then 'paid_search'
        when {{ source_category }} = 'social' and {{ paid_medium }} then 'paid_social'
        when {{ source_category }} = 'video' and {{ paid_medium }} then 'paid_video'
        when {{ medium }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm') then 'display'
        when {{ has_gclid }} and ({{ medium }} is null or {{ paid_medium }}) then 'paid_search'
        when {{ has_fbclid }} and ({{ medium }} is null or {{ paid_medium }}) then 'paid_social'
        when {{ paid_medium }} then 'paid_other'
        when {{ source_category }} = 'shopping' or {{ shop_campaign }} then 'organic_shopping'
        when {{ source_category }} = 'social'
            or {{ medium }} in ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
            then 'organic_social'
        when {{ source_category }} = 'video' or {{ medium }} like '%video%' then 'organic_video'
        when {{ source_category }} = 'search' or {{ medium }} = 'organic' then 'organic_search'
        when {{ medium }} in ('referral', 'app', 'link') then 'referral'
        when {{ source }} in ('email', 'e-mail', 'e_mail', 'e mail', 'newsletter', 'mailchimp')
            or {{ medium }} in ('email', 'e-mail', 'e_mail', 'e mail', 'newsletter')
            then 'email'
        when {{ medium }} = 'affiliate' then 'affiliates'
        when {{ medium }} = 'audio' then 'audio'
        when {{ source }} = 'sms' or {{ medium }} = 'sms' then 'sms'
        when {{ medium }} like '%push' or {{ medium }} like '%mobile%' or {{ medium }} like '%notification%'
            or {{ source }} = 'firebase'
            then 'mobile_push'
        else 'unassigned'
    end
{%- endmacro %}


{#- hubspot_analytics_channel: HubSpot's original-source property (hs_analytics_source) in the channel vocabulary
    of default_channel_group (plus `offline`): what the first visit of a contact was, used as the channel of the
    address's first form submission when its page URL carries no campaign parameters. -#}
{% macro hubspot_analytics_channel(analytics_source) -%}
    case upper({{ analytics_source }})
        when 'ORGANIC_SEARCH' then 'organic_search'
        when 'PAID_SEARCH' then 'paid_search'
        when 'EMAIL_MARKETING' then 'email'
        when 'SOCIAL_MEDIA' then 'organic_social'
        when 'PAID_SOCIAL' then 'paid_social'
        when 'REFERRALS' then 'referral'
        when 'OTHER_CAMPAIGNS' then 'unassigned'
        when 'DIRECT_TRAFFIC' then 'direct'
        when 'OFFLINE' then 'offline'
    end
{%- endmacro %}


{#- like_rule: true when a rule's pattern (a seed column: SQL LIKE pattern, matched case-insensitively) is empty,
    `*`, or matches `value`. Rules leave a condition empty to mean "any". -#}
{% macro like_rule(value, pattern) -%}
    ({{ pattern }} is null or {{ pattern }} = '*' or lower({{ value }}) like lower({{ pattern }}))
{%- endmacro %}
