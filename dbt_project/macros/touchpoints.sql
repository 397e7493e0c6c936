{#-
    touchpoint_columns: the column contract every per-source touchpoint model (int_<source>__touchpoints) meets,
    as (name, type) pairs. int_touchpoints_unioned selects exactly these columns, cast to these types, from each
    source model, so a new source cannot silently shift or retype a column.
-#}
{% macro touchpoint_columns() -%}
    {%- set string = dbt.type_string() -%}
    {{ return([
        ('touch_id', string),
        ('touch_event_id', string),
        ('person_identifier_type', string),
        ('person_identifier_value', string),
        ('occurred_at', dbt.type_timestamp()),
        ('source_system', string),
        ('source_stream', string),
        ('source_record_id', string),
        ('touch_type', string),
        ('channel', string),
        ('campaign', string),
        ('campaign_key', string),
        ('utm_source', string),
        ('utm_medium', string),
        ('utm_campaign', string),
        ('utm_content', string),
        ('utm_term', string),
        ('gclid', string),
        ('fbclid', string),
        ('owner_id', string),
        ('deal_id', string),
        ('stage_from', string),
        ('stage_to', string),
        ('detail', string),
        ('score', dbt.type_numeric()),
        ('value_amount', dbt.type_numeric()),
        ('currency', string),
        ('event_count', dbt.type_bigint()),
    ]) }}
{%- endmacro %}


{#- touch_contract_columns: the contract's column names, qualified by `alias` (a list, for row_hash). -#}
{% macro touch_contract_columns(alias) -%}
    {%- set names = [] -%}
    {%- for name, data_type in journeyhub.touchpoint_columns() -%}
        {%- do names.append(alias ~ '.' ~ name) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#- channel_inputs: what decides a touch's channel, as (column name, SQL expression over `alias`) pairs in the order
    of int_channel_inputs_classified' key columns, which it selects from them. The row_hash of the expressions,
    channel_inputs_hash, is computed the same way in int_touchpoints_unioned, so fct_touchpoints joins channels on
    one bigint instead of nine expressions per touch (`channel_inputs(alias) | map('last') | list`). -#}
{% macro channel_inputs(alias) -%}
    {{ return([
        ('source_system', alias ~ '.source_system'),
        ('source_stream', alias ~ '.source_stream'),
        ('touch_type', alias ~ '.touch_type'),
        ('source_channel', alias ~ '.channel'),
        ('utm_source_key', "coalesce(lower(trim(" ~ alias ~ ".utm_source)), '')"),
        ('utm_medium_key', "coalesce(lower(trim(" ~ alias ~ ".utm_medium)), '')"),
        ('utm_campaign_key', "coalesce(lower(trim(" ~ alias ~ ".utm_campaign)), '')"),
        ('has_gclid', alias ~ '.gclid is not null'),
        ('has_fbclid', alias ~ '.fbclid is not null'),
    ]) }}
{%- endmacro %}


{#-
    touch_contract_list: the select list of every contract column, in contract order: `computed` ones (name ->
    SQL expression) as given, the ones in `available` (default: all) by name, cast to the contract type when
    `cast_available`, and the rest as typed nulls, so a source branch only names the columns it has.
-#}
{% macro touch_contract_list(available=none, cast_available=true, computed={}) -%}
    {%- for name, data_type in journeyhub.touchpoint_columns() %}
        {% if name in computed -%}
            {{ computed[name] }} as {{ name }}
        {%- elif (available is none or name in available) and cast_available -%}
            cast({{ name }} as {{ data_type }}) as {{ name }}
        {%- elif available is none or name in available -%}
            {{ name }}
        {%- else -%}
            cast(null as {{ data_type }}) as {{ name }}
        {%- endif -%}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- select_touchpoint_columns: `select <every contract column> from <relation>`, cast to the contract types, in
    contract order, columns not in `available` as typed nulls (int_touchpoints_unioned, per source). -#}
{% macro select_touchpoint_columns(relation, available=none) -%}
    select
    {{- journeyhub.touch_contract_list(available) }}
    from {{ relation }}
{%- endmacro %}


{#-
    select_source_touches: the closing SELECT of a per-source touchpoint model (int_<source>__touchpoints): every
    contract column in contract order from `relation`, touch_id computed (hash of the touch event and the person
    identifier), source_system the literal `source_system`, and the contract columns not in `available` (default:
    all) as typed nulls. Available columns pass through uncast (int_touchpoints_unioned casts them to the contract).
-#}
{% macro select_source_touches(relation, source_system, available=none) -%}
    {%- set computed = {
        'touch_id': journeyhub.surrogate_key(['touch_event_id', 'person_identifier_type', 'person_identifier_value']),
        'source_system': "'" ~ source_system ~ "'",
    } -%}
    select
    {{- journeyhub.touch_contract_list(available, cast_available=false, computed=computed) }}
    from {{ relation }}
{%- endmacro %}


{#- null_columns: typed nulls named `names` (default type text), comma-separated, for the branches of a union that
    lack columns another branch has. -#}
{% macro null_columns(names, data_type=none) -%}
    {%- for name in names -%}
        cast(null as {{ data_type or dbt.type_string() }}) as {{ name }}
        {%- if not loop.last %},
        {% endif -%}
    {%- endfor -%}
{%- endmacro %}
