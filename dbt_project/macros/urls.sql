{#- regex_group: the first capture group of `pattern` in `expr`, or null when it does not match or captures
    nothing. `pattern` is a SQL string literal holding a POSIX/RE2-compatible regex (both engines accept the
    `(?i)` prefix for case-insensitive matching). -#}
{% macro regex_group(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_group', 'journeyhub')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_group(expr, pattern) -%}
    nullif(substring({{ expr }} from {{ pattern }}), '')
{%- endmacro %}

{% macro duckdb__regex_group(expr, pattern) -%}
    nullif(regexp_extract({{ expr }}, {{ pattern }}, 1), '')
{%- endmacro %}


{#- url_decode: percent-decoding of a URL query value, `+` as a space. -#}
{% macro url_decode(expr) -%}
    {{ return(adapter.dispatch('url_decode', 'journeyhub')(expr)) }}
{%- endmacro %}

{#- PostgreSQL has no built-in decoder: the escapes that occur in campaign names are replaced, `%25` last. -#}
{% macro default__url_decode(expr) -%}
    {%- set escapes = [
        ('%20', ' '), ('%21', '!'), ('%22', '"'), ('%23', '#'), ('%24', '$'), ('%26', '&'), ('%27', "''"),
        ('%28', '('), ('%29', ')'), ('%2B', '+'), ('%2C', ','), ('%2F', '/'), ('%3A', ':'), ('%3B', ';'),
        ('%3D', '='), ('%3F', '?'), ('%40', '@'), ('%7C', '|'), ('%25', '%')
    ] -%}
    {%- set ns = namespace(sql="replace(" ~ expr ~ ", '+', ' ')") -%}
    {%- for code, char in escapes -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ code ~ "', '" ~ char ~ "')" -%}
        {%- if code | lower != code -%}
            {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ code | lower ~ "', '" ~ char ~ "')" -%}
        {%- endif -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}

{% macro duckdb__url_decode(expr) -%}
    url_decode(replace({{ expr }}, '+', ' '))
{%- endmacro %}


{#- url_query_param: the decoded value of query parameter `param` (case-insensitive name) in URL `url`, or null
    when the parameter is absent or empty. Only the query string counts: the fragment (#...) is ignored. -#}
{% macro url_query_param(url, param) -%}
    {{ journeyhub.url_decode(journeyhub.regex_group(url, "'(?i)[?&]" ~ param ~ "=([^&#]*)'")) }}
{%- endmacro %}
