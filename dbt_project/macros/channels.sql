{#-
    classify_channel: a first, rough marketing channel for one touch from its UTM parameters and click ids, with
    an optional fallback expression (e.g. a HubSpot hs_analytics_source mapped by hubspot_analytics_channel) for
    touches that carry neither. Values: paid_search, paid_social, display, email, organic_social,
    organic_search, referral, affiliate, other_campaigns, then the fallback, then 'direct'.
    A later issue replaces this with a GA4-style default channel grouping.
-#}
{% macro classify_channel(utm_source, utm_medium, gclid='null', fbclid='null', fallback='null') -%}
    case
        when lower({{ utm_medium }}) in ('cpc', 'ppc', 'paid_search', 'paidsearch', 'sem')
            then 'paid_search'
        when lower({{ utm_medium }}) in ('paid_social', 'paidsocial', 'social_paid', 'paid-social')
            then 'paid_social'
        when lower({{ utm_medium }}) in ('display', 'banner', 'cpm', 'programmatic')
            then 'display'
        when lower({{ utm_medium }}) in ('email', 'e-mail', 'e_mail', 'newsletter')
            or lower({{ utm_source }}) in ('newsletter', 'mailchimp', 'klaviyo')
            then 'email'
        when lower({{ utm_medium }}) in ('social', 'organic_social', 'social-network', 'social-media', 'sm')
            then 'organic_social'
        when lower({{ utm_medium }}) = 'organic'
            then 'organic_search'
        when lower({{ utm_medium }}) = 'referral'
            then 'referral'
        when lower({{ utm_medium }}) = 'affiliate'
            then 'affiliate'
        when {{ gclid }} is not null
            then 'paid_search'
        when {{ fbclid }} is not null
            then 'paid_social'
        when {{ utm_medium }} is not null or {{ utm_source }} is not null
            then 'other_campaigns'
        else coalesce({{ fallback }}, 'direct')
    end
{%- endmacro %}


{#- hubspot_analytics_channel: HubSpot's original-source property (hs_analytics_source) in the same channel
    vocabulary as classify_channel. -#}
{% macro hubspot_analytics_channel(analytics_source) -%}
    case upper({{ analytics_source }})
        when 'ORGANIC_SEARCH' then 'organic_search'
        when 'PAID_SEARCH' then 'paid_search'
        when 'EMAIL_MARKETING' then 'email'
        when 'SOCIAL_MEDIA' then 'organic_social'
        when 'PAID_SOCIAL' then 'paid_social'
        when 'REFERRALS' then 'referral'
        when 'OTHER_CAMPAIGNS' then 'other_campaigns'
        when 'DIRECT_TRAFFIC' then 'direct'
        when 'OFFLINE' then 'offline'
    end
{%- endmacro %}
