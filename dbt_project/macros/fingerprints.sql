{#-
    Change detection for the incremental journey models. A person's fingerprint summarises every input row of their
    journey (row_hash of each row, combined with hash_combine, order-independent), so an incremental run recomputes
    exactly the persons whose inputs changed: new, changed or removed touches, and identity merges or splits (which
    move touches between person keys). Deterministic: a full refresh stores the same fingerprints.
-#}

{#- row_hash: a 64-bit hash of a list of SQL expressions (null-safe). DuckDB: hash(); PostgreSQL: the first 16 hex
    digits of md5 over the values, as bigint. -#}
{% macro row_hash(fields) -%}
    {{ return(adapter.dispatch('row_hash', 'journeyhub')(fields)) }}
{%- endmacro %}

{% macro default__row_hash(fields) -%}
    ('x' || substr(md5(concat_ws('|'
        {%- for field in fields -%}
        , coalesce(cast({{ field }} as text), '\N')
        {%- endfor -%}
    )), 1, 16))::bit(64)::bigint
{%- endmacro %}

{% macro duckdb__row_hash(fields) -%}
    hash({{ fields | join(', ') }})
{%- endmacro %}


{#- hash_combine: the order-independent aggregate of row hashes (bitwise xor), as text. -#}
{% macro hash_combine(expr) -%}
    {{ fingerprint_text('bit_xor(' ~ expr ~ ')') }}
{%- endmacro %}


{#- fingerprint_text: a bit_xor aggregate as the text a fingerprint column stores, for a model that carries the raw
    aggregate through later steps (narrower rows) and must still store what hash_combine would have. -#}
{% macro fingerprint_text(aggregate) -%}
    cast({{ aggregate }} as {{ dbt.type_string() }})
{%- endmacro %}


{#-
    changed_persons: the body of a CTE listing the person keys an incremental model must recompute: every person
    whose current fingerprint (in `current`: person_key + person_fingerprint, one row per person) differs from the
    one stored in the model (`{{ this }}`), who is new, or who is stored but no longer current (merged into another
    key, or left without input rows).
-#}
{% macro changed_persons(current) -%}
    select coalesce(current_persons.person_key, stored.person_key) as person_key
    from {{ current }} as current_persons
    full outer join (
        select distinct person_key, person_fingerprint from {{ this }}
    ) as stored
        on current_persons.person_key = stored.person_key
    where current_persons.person_key is null
        or stored.person_key is null
        or stored.person_fingerprint <> current_persons.person_fingerprint
{%- endmacro %}


{#- person_incremental_config: the config of every person-level incremental model (fct_touchpoints,
    fct_conversions, fct_stage_transitions, fct_funnel_steps, int_journeys_summarised): delete+insert on person_key,
    and the post-hook that removes the placeholder rows select_person_rows writes for removed persons. -#}
{% macro person_incremental_config() -%}
{{ config(
    materialized='incremental',
    unique_key='person_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=["{{ delete_placeholder_rows('person_fingerprint') }}"],
) }}
{%- endmacro %}


{#-
    changed_person_ctes: the CTEs that open the scope of a person-level incremental model reading the journey marts
    (fct_conversions, fct_stage_transitions, fct_funnel_steps, int_journeys_summarised), comma-separated, for the
    model to follow with a comma and its own CTEs:
      fingerprints        person_key, person_fingerprint: dim_persons' `fingerprint` column (timeline_fingerprint,
                          the fct_touchpoints fingerprint, by default), which every row of the model stores;
      changed             on incremental runs only: changed_persons over fingerprints;
      <name>              for each `name: relation` of `scoped`: the rows of CTE `relation` that belong to changed
                          persons (all rows on a full refresh), so the model computes only what it rewrites.
-#}
{% macro changed_person_ctes(scoped={}, fingerprint='timeline_fingerprint') -%}
fingerprints as (

    select
        person_key,
        {{ fingerprint }}{% if fingerprint != 'person_fingerprint' %} as person_fingerprint{% endif %}
    from {{ ref('dim_persons') }}
    where {{ fingerprint }} is not null

)
{%- if is_incremental() %},

changed as (

    {{ journeyhub.changed_persons('fingerprints') }}

)
{%- endif %}
{%- for name, relation in scoped.items() %},

{{ name }} as (

    select {{ relation }}.*
    from {{ relation }}
    {%- if is_incremental() %}
    inner join changed
        on {{ relation }}.person_key = changed.person_key
    {%- endif %}

)
{%- endfor %}
{%- endmacro %}


{#-
    removed_persons: the body of a CTE listing changed persons (CTE `changed`) that have rows in the model but none
    in the recomputed rows (CTE `rows`): delete+insert deletes by the keys present in the new rows, so each such
    person gets one placeholder row (every column null but person_key), which the post-hook
    delete_placeholder_rows removes again. This is how merged-away keys and persons whose last row vanished are
    deleted exactly.
-#}
{% macro removed_persons(changed='changed', rows='rows') -%}
    select distinct stored.person_key
    from {{ this }} as stored
    inner join {{ changed }} as changed_persons
        on stored.person_key = changed_persons.person_key
    where not exists (
        select 1 from {{ rows }} as recomputed
        where recomputed.person_key = stored.person_key
    )
{%- endmacro %}


{#-
    select_person_rows: the closing SELECT of a person-level incremental model, after its CTEs (`rows` = the
    recomputed rows, `changed` = the changed_persons CTE). Full refresh: `select * from rows`. Incremental: the rows
    plus one placeholder row per removed person (see removed_persons; macro placeholder_rows).
-#}
{% macro select_person_rows(rows='final', changed='changed') -%}
{%- if is_incremental() %}
, removed as (

    {{ removed_persons(changed, rows) }}

)

select * from {{ rows }}
union all
{{ placeholder_rows('removed', ['person_key']) }}
{%- else %}
select * from {{ rows }}
{%- endif %}
{%- endmacro %}
