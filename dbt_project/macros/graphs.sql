{#-
    connected_components: CTE bodies (to be placed inside a `with`) that label every node of an undirected graph with
    the smallest node id of its connected component, by bounded min-label propagation with pointer jumping:

        pass 0   label(v) = min(v, neighbours of v)
        pass k   spread:  label(v) = min label over v and its neighbours
                 jump:    label(v) = label(label(v))      (pointer jumping: labels travel along chains of labels)

    Labels only decrease and always name a node of the same component, so every pass is safe; with pointer jumping
    the number of passes needed grows with the logarithm of the component diameter, so a small fixed bound
    (`passes`, default the var `identity_max_passes`) covers identity graphs. The macro does not check convergence:
    the singular test `assert_identity_components_converged` fails when an edge still joins two labels.

    Only the first `full_passes` (default the var `identity_full_passes`) run over the whole graph; the remaining
    passes run over the components that have not converged by then, usually a handful, with the same result.

    `nodes`: a relation with an integer `node_id`; `edges`: a relation with integer `node_a`, `node_b` (either
    direction). Emits CTEs `<prefix>_adjacent`, `<prefix>_0` ... and finally `<prefix>_components (node_id,
    component_id)`. Plain SQL joins and aggregates: the same on DuckDB and PostgreSQL.
-#}
{% macro connected_components(nodes, edges, passes=none, prefix='cc', full_passes=none) -%}
    {%- set passes = passes or var('identity_max_passes', 12) -%}
    {%- set full_passes = [full_passes or var('identity_full_passes', 4), passes] | min -%}
{{ prefix }}_adjacent as (

    select node_a as node_id, node_b as neighbour_id from {{ edges }}
    union all
    select node_b as node_id, node_a as neighbour_id from {{ edges }}
    union all
    select node_id, node_id as neighbour_id from {{ nodes }}

),

{{ prefix }}_0 as (

    select node_id, min(neighbour_id) as label
    from {{ prefix }}_adjacent
    group by node_id

),
{{ journeyhub._label_passes(prefix, prefix ~ '_adjacent', 1, full_passes) }}
{%- if full_passes < passes %}
-- After the full passes almost every component carries one label, its smallest node id, and no later pass can
-- change it. Only the components still holding several labels continue. In such a component every label class
-- borders another one (the component is connected), so its labels are exactly those found at the two ends of an
-- edge whose ends disagree; a converged component's single label appears in no such edge.
{{ prefix }}_open_labels as (

    select distinct here.label
    from {{ prefix }}_adjacent as adjacent
    inner join {{ prefix }}_{{ full_passes }} as here
        on adjacent.node_id = here.node_id
    inner join {{ prefix }}_{{ full_passes }} as there
        on adjacent.neighbour_id = there.node_id
    where here.label <> there.label

),

{{ prefix }}_open_{{ full_passes }} as (

    select labels.node_id, labels.label
    from {{ prefix }}_{{ full_passes }} as labels
    inner join {{ prefix }}_open_labels as open_labels
        on labels.label = open_labels.label

),

{{ prefix }}_open_adjacent as (

    select adjacent.node_id, adjacent.neighbour_id
    from {{ prefix }}_adjacent as adjacent
    inner join {{ prefix }}_open_{{ full_passes }} as open_nodes
        on adjacent.node_id = open_nodes.node_id

),
{{ journeyhub._label_passes(prefix ~ '_open', prefix ~ '_open_adjacent', full_passes + 1, passes) }}
{{ prefix }}_components as (

    select labels.node_id, labels.label as component_id
    from {{ prefix }}_{{ full_passes }} as labels
    left join {{ prefix }}_open_labels as open_labels
        on labels.label = open_labels.label
    where open_labels.label is null
    union all
    select node_id, label as component_id
    from {{ prefix }}_open_{{ passes }}

)
{%- else %}
{{ prefix }}_components as (

    select node_id, label as component_id
    from {{ prefix }}_{{ passes }}

)
{%- endif %}
{%- endmacro %}


{#- _label_passes: passes `first` .. `last` of connected_components over `adjacent`, reading `<prefix>_<first - 1>`
    and emitting `<prefix>_<i>_spread` and `<prefix>_<i>` (each followed by a comma). -#}
{% macro _label_passes(prefix, adjacent, first, last) -%}
{% for i in range(first, last + 1) %}
{{ prefix }}_{{ i }}_spread as (

    select adjacent.node_id, min(previous.label) as label
    from {{ adjacent }} as adjacent
    inner join {{ prefix }}_{{ i - 1 }} as previous
        on adjacent.neighbour_id = previous.node_id
    group by adjacent.node_id

),

{{ prefix }}_{{ i }} as (

    select spread.node_id, least(spread.label, jumped.label) as label
    from {{ prefix }}_{{ i }}_spread as spread
    inner join {{ prefix }}_{{ i }}_spread as jumped
        on spread.label = jumped.node_id

),
{% endfor %}
{%- endmacro %}


{#-
    bottleneck_times: CTE bodies computing, for every source and every node reachable from it, the earliest time at
    which the two were connected when edges appear over time: the minimum over paths of the latest edge time on the
    path (a minimax path, what Kruskal's algorithm over edges sorted by time would give). Bounded relaxation passes
    (`passes`, default 2 x `identity_max_passes`): enough for the small components identity graphs have.

    `seeds`: a relation with `source_id`, `node_id`, `reached_at` (the source's own node and time);
    `edges`: `node_a`, `node_b`, `edge_at` (undirected). Emits `<prefix>_0` ... and `<prefix>_times (source_id,
    node_id, reached_at)`.
-#}
{% macro bottleneck_times(seeds, edges, passes=none, prefix='bt') -%}
    {%- set passes = passes or 2 * var('identity_max_passes', 12) -%}
{{ prefix }}_adjacent as (

    select node_a as node_id, node_b as neighbour_id, edge_at from {{ edges }}
    union all
    select node_b as node_id, node_a as neighbour_id, edge_at from {{ edges }}

),

{{ prefix }}_0 as (

    select source_id, node_id, reached_at from {{ seeds }}

),
{% for i in range(1, passes + 1) %}
{{ prefix }}_{{ i }} as (

    select source_id, node_id, min(reached_at) as reached_at
    from (
        select source_id, node_id, reached_at from {{ prefix }}_{{ i - 1 }}
        union all
        select
            previous.source_id,
            adjacent.neighbour_id as node_id,
            case when adjacent.edge_at > previous.reached_at then adjacent.edge_at else previous.reached_at end
                as reached_at
        from {{ prefix }}_{{ i - 1 }} as previous
        inner join {{ prefix }}_adjacent as adjacent
            on previous.node_id = adjacent.node_id
    ) as relaxed
    group by source_id, node_id

),
{% endfor %}
{{ prefix }}_times as (

    select source_id, node_id, reached_at
    from {{ prefix }}_{{ passes }}

)
{%- endmacro %}
