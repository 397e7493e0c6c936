-- Which person keys merged into which, and when, derived from the data (so a full refresh rebuilds the same log).
-- Records are replayed in time order: a record whose identifiers no earlier person record carried starts a new
-- person key (a "root": the key its own best anchor would give); when a later record links two such keys, the
-- later root's key is folded into the earlier one. merged_at is the earliest moment the two roots were connected
-- (the minimax path over record times, macro bottleneck_times), merged_into_key the key it joined then, person_key
-- the key the merged person holds now. One row per folded key.
with

identities as (

    select * from {{ ref('int_identity_nodes_resolved') }}
    where person_key is not null

),

edges as (

    select * from {{ ref('int_identity_edges_unioned') }}

),

-- edges inside persons, with both ends resolved (guardrail-free ones: both ends linking)
person_edges as (

    select
        edges.record_type,
        edges.record_id,
        edges.identifier_type,
        edges.identifier_value,
        edges.observed_at,
        records.person_key,
        records.is_anchor as is_record_anchor,
        identifiers.is_anchor as is_identifier_anchor
    from edges
    inner join identities as records
        on edges.record_type = records.identifier_type
        and edges.record_id = records.identifier_value
    inner join identities as identifiers
        on edges.identifier_type = identifiers.identifier_type
        and edges.identifier_value = identifiers.identifier_value
        and records.person_key = identifiers.person_key
    where identifiers.is_linking
        and records.is_linking

),

-- records that carry a person anchor (their own id or an anchor identifier)
anchored_records as (

    select
        record_type,
        record_id,
        person_key,
        min(observed_at) as observed_at
    from person_edges
    group by record_type, record_id, person_key
    having max(case when is_record_anchor or is_identifier_anchor then 1 else 0 end) = 1

),

anchored_ranked as (

    select
        *,
        row_number() over (
            partition by person_key
            order by observed_at, record_type, record_id
        ) as arrival_rank
    from anchored_records

),

-- for each identifier, the first anchored record that carried it
identifier_first_records as (

    select
        person_edges.identifier_type,
        person_edges.identifier_value,
        min(anchored_ranked.arrival_rank) as first_arrival_rank
    from person_edges
    inner join anchored_ranked
        on person_edges.record_type = anchored_ranked.record_type
        and person_edges.record_id = anchored_ranked.record_id
    group by person_edges.identifier_type, person_edges.identifier_value

),

-- a root: an anchored record that was the first anchored record of every identifier it carries
roots as (

    select
        anchored_ranked.person_key,
        anchored_ranked.record_type,
        anchored_ranked.record_id,
        anchored_ranked.observed_at,
        anchored_ranked.arrival_rank
    from anchored_ranked
    inner join person_edges
        on anchored_ranked.record_type = person_edges.record_type
        and anchored_ranked.record_id = person_edges.record_id
    inner join identifier_first_records
        on person_edges.identifier_type = identifier_first_records.identifier_type
        and person_edges.identifier_value = identifier_first_records.identifier_value
    group by
        anchored_ranked.person_key, anchored_ranked.record_type, anchored_ranked.record_id,
        anchored_ranked.observed_at, anchored_ranked.arrival_rank
    having max(case when identifier_first_records.first_arrival_rank < anchored_ranked.arrival_rank then 1 else 0 end)
        = 0

),

merged_persons as (

    select person_key
    from roots
    group by person_key
    having count(*) > 1

),

-- the key each root started: its own best anchor, ordered like int_identity_nodes_resolved orders key identifiers
root_keys as (

    select
        roots.person_key,
        roots.record_type,
        roots.record_id,
        roots.observed_at,
        roots.arrival_rank,
        person_edges.identifier_type as root_key_type,
        person_edges.identifier_value as root_key_value,
        row_number() over (
            partition by roots.record_type, roots.record_id
            order by
                case
                    when (person_edges.identifier_type = person_edges.record_type and person_edges.is_record_anchor)
                        or (
                            person_edges.identifier_type <> person_edges.record_type
                            and person_edges.is_identifier_anchor
                        )
                        then 0
                    else 1
                end,
                identities.first_seen_at,
                identifier_types.type_rank,
                person_edges.identifier_value
        ) as key_rank
    from roots
    inner join merged_persons
        on roots.person_key = merged_persons.person_key
    inner join person_edges
        on roots.record_type = person_edges.record_type
        and roots.record_id = person_edges.record_id
    inner join identities
        on person_edges.identifier_type = identities.identifier_type
        and person_edges.identifier_value = identities.identifier_value
    inner join {{ ref('identity_identifier_types') }} as identifier_types
        on person_edges.identifier_type = identifier_types.identifier_type

),

-- the graph of the merged persons, numbered for the propagation
graph_nodes as (

    select
        identifier_type,
        identifier_value,
        row_number() over (
            order by identifier_type, identifier_value
        ) as node_id
    from (
        select distinct
            person_edges.identifier_type,
            person_edges.identifier_value
        from person_edges
        inner join merged_persons
            on person_edges.person_key = merged_persons.person_key
        union
        select distinct
            person_edges.record_type,
            person_edges.record_id
        from person_edges
        inner join merged_persons
            on person_edges.person_key = merged_persons.person_key
    ) as distinct_nodes

),

graph_edges as (

    select
        record_nodes.node_id as node_a,
        identifier_nodes.node_id as node_b,
        person_edges.observed_at as edge_at
    from person_edges
    inner join merged_persons
        on person_edges.person_key = merged_persons.person_key
    inner join graph_nodes as record_nodes
        on person_edges.record_type = record_nodes.identifier_type
        and person_edges.record_id = record_nodes.identifier_value
    inner join graph_nodes as identifier_nodes
        on person_edges.identifier_type = identifier_nodes.identifier_type
        and person_edges.identifier_value = identifier_nodes.identifier_value
    where record_nodes.node_id <> identifier_nodes.node_id

),

root_seeds as (

    select
        graph_nodes.node_id as source_id,
        graph_nodes.node_id,
        root_keys.observed_at as reached_at
    from root_keys
    inner join graph_nodes
        on root_keys.record_type = graph_nodes.identifier_type
        and root_keys.record_id = graph_nodes.identifier_value
    where root_keys.key_rank = 1

),

{{ bottleneck_times('root_seeds', 'graph_edges') }},

root_nodes as (

    select
        root_keys.*,
        graph_nodes.node_id
    from root_keys
    inner join graph_nodes
        on root_keys.record_type = graph_nodes.identifier_type
        and root_keys.record_id = graph_nodes.identifier_value
    where root_keys.key_rank = 1

),

-- for each later root: when it first connected to an earlier root, and which
connections as (

    select
        later.person_key,
        later.root_key_type,
        later.root_key_value,
        later.observed_at as key_started_at,
        earlier.root_key_type as into_key_type,
        earlier.root_key_value as into_key_value,
        bt_times.reached_at as merged_at,
        row_number() over (
            partition by later.record_type, later.record_id
            order by bt_times.reached_at, earlier.arrival_rank
        ) as connection_rank
    from root_nodes as later
    inner join root_nodes as earlier
        on later.person_key = earlier.person_key
        and later.arrival_rank > earlier.arrival_rank
    inner join bt_times
        on later.node_id = bt_times.source_id
        and earlier.node_id = bt_times.node_id

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['root_key_type', 'root_key_value']) }} as merged_key,
        person_key,
        {{ surrogate_key(['into_key_type', 'into_key_value']) }} as merged_into_key,
        root_key_value as merged_key_identifier_value,

        ----------  strings
        root_key_type as merged_key_identifier_type,

        ----------  timestamps
        key_started_at,
        merged_at

    from connections
    where connection_rank = 1

)

select * from final
