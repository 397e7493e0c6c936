-- The identity graph: every identifier and record of int_identity__edges, resolved to the person it belongs to.
-- One row per node (identifier or record); person_key is null for nodes that resolve to nobody.
--
-- 1. Guardrails (seeds identity_blocklist and identity_identifier_types):
--    * blocked identifiers (shared mailboxes such as info@ / sales@, test domains, placeholder phones) link
--      nothing; a profile record (HubSpot contact, Mailchimp member) holding a blocked address is a shared
--      mailbox, not a person: it links nothing either;
--    * an identifier is over its cap when linking through it would give one person more identifiers of some
--      type than that type's max_per_person (e.g. a switchboard phone typed by a dozen colleagues, an address on
--      thirty contacts): it links nothing. The check looks at the records carrying the identifier and the
--      identifiers they carry (one hop), before any merge.
-- 2. Connected components over the remaining record-identifier edges (bounded min-label propagation with pointer
--    jumping, macro connected_components).
-- 3. A component is a person when it holds a person anchor (identifier types with is_person_anchor: a contact, a
--    lead, a Mailchimp member, an email address, a phone). A lone gclid or social account is an anonymous visitor.
-- 4. person_key = hash of the component's key identifier: the anchor seen first (then by type_rank, then value).
--    New data only adds later identifiers, so the key survives runs; when two persons merge, the one seen first
--    keeps its key (identity_merge_log lists the keys that were folded in).
{{ config(materialized='table') }}

with

edges as (

    select * from {{ ref('int_identity__edges') }}

),

identifier_types as (

    select * from {{ ref('identity_identifier_types') }}

),

blocklist as (

    select * from {{ ref('identity_blocklist') }}

),

node_stats as (

    select
        identifier_type,
        identifier_value,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        count(*) as record_count
    from edges
    group by identifier_type, identifier_value

),

-- guardrails -----------------------------------------------------------------------------------------------------

blocked as (

    select
        node_stats.identifier_type,
        node_stats.identifier_value,
        min(blocklist.reason) as block_reason
    from node_stats
    inner join blocklist
        on node_stats.identifier_type = blocklist.identifier_type
        and (
            (blocklist.match_type = 'value' and node_stats.identifier_value = lower(blocklist.pattern))
            or (
                blocklist.match_type = 'local_part'
                and {{ dbt.split_part('node_stats.identifier_value', "'@'", 1) }} = lower(blocklist.pattern)
            )
            or (
                blocklist.match_type = 'domain'
                and {{ dbt.split_part('node_stats.identifier_value', "'@'", 2) }} = lower(blocklist.pattern)
            )
        )
    group by node_stats.identifier_type, node_stats.identifier_value

),

shared_records as (

    select distinct
        edges.record_type,
        edges.record_id
    from edges
    inner join blocked
        on edges.identifier_type = blocked.identifier_type
        and edges.identifier_value = blocked.identifier_value
    inner join identifier_types
        on edges.record_type = identifier_types.identifier_type
    where edges.identifier_type = 'email'
        and identifier_types.node_kind = 'profile_record'

),

usable_edges as (

    select edges.*
    from edges
    left join shared_records
        on edges.record_type = shared_records.record_type
        and edges.record_id = shared_records.record_id
    left join blocked
        on edges.identifier_type = blocked.identifier_type
        and edges.identifier_value = blocked.identifier_value
    where shared_records.record_id is null
        and blocked.identifier_value is null

),

-- what one person would hold if each identifier linked: the records carrying it and their identifiers
neighbourhoods as (

    select
        linker.identifier_type as linker_type,
        linker.identifier_value as linker_value,
        neighbour.identifier_type as neighbour_type,
        count(distinct neighbour.identifier_value) as neighbour_count
    from usable_edges as linker
    inner join identifier_types as linker_types
        on linker.identifier_type = linker_types.identifier_type
        and linker_types.node_kind = 'identifier'
    inner join usable_edges as neighbour
        on linker.record_type = neighbour.record_type
        and linker.record_id = neighbour.record_id
    group by linker.identifier_type, linker.identifier_value, neighbour.identifier_type

),

over_cap as (

    select distinct
        neighbourhoods.linker_type as identifier_type,
        neighbourhoods.linker_value as identifier_value
    from neighbourhoods
    inner join identifier_types
        on neighbourhoods.neighbour_type = identifier_types.identifier_type
    where identifier_types.max_per_person is not null
        and neighbourhoods.neighbour_count > identifier_types.max_per_person

),

linking_edges as (

    select usable_edges.*
    from usable_edges
    left join over_cap
        on usable_edges.identifier_type = over_cap.identifier_type
        and usable_edges.identifier_value = over_cap.identifier_value
    where over_cap.identifier_value is null

),

-- nodes, numbered so that the smallest node id of a component is its key identifier -------------------------------

nodes_flagged as (

    select
        node_stats.*,
        identifier_types.type_rank,
        identifier_types.node_kind,
        blocked.block_reason,
        blocked.identifier_value is not null as is_blocked,
        over_cap.identifier_value is not null as is_over_cap,
        shared_records.record_id is not null as is_shared_record
    from node_stats
    inner join identifier_types
        on node_stats.identifier_type = identifier_types.identifier_type
    left join blocked
        on node_stats.identifier_type = blocked.identifier_type
        and node_stats.identifier_value = blocked.identifier_value
    left join over_cap
        on node_stats.identifier_type = over_cap.identifier_type
        and node_stats.identifier_value = over_cap.identifier_value
    left join shared_records
        on node_stats.identifier_type = shared_records.record_type
        and node_stats.identifier_value = shared_records.record_id

),

nodes as (

    select
        nodes_flagged.*,
        not (is_blocked or is_over_cap or is_shared_record) as is_linking,
        (
            identifier_types.is_person_anchor and not (is_blocked or is_over_cap or is_shared_record)
        ) as is_anchor,
        row_number() over (
            order by
                case when identifier_types.is_person_anchor
                    and not (is_blocked or is_over_cap or is_shared_record) then 0 else 1 end,
                nodes_flagged.first_seen_at nulls last,
                nodes_flagged.type_rank,
                nodes_flagged.identifier_value
        ) as node_id
    from nodes_flagged
    inner join identifier_types
        on nodes_flagged.identifier_type = identifier_types.identifier_type

),

graph_edges as (

    select
        record_nodes.node_id as node_a,
        identifier_nodes.node_id as node_b
    from linking_edges
    inner join nodes as record_nodes
        on linking_edges.record_type = record_nodes.identifier_type
        and linking_edges.record_id = record_nodes.identifier_value
    inner join nodes as identifier_nodes
        on linking_edges.identifier_type = identifier_nodes.identifier_type
        and linking_edges.identifier_value = identifier_nodes.identifier_value
    where record_nodes.node_id <> identifier_nodes.node_id

),

{{ connected_components('nodes', 'graph_edges') }},

resolved as (

    select
        nodes.*,
        cc_components.component_id,
        key_nodes.identifier_type as key_identifier_type,
        key_nodes.identifier_value as key_identifier_value,
        key_nodes.is_anchor as is_person
    from nodes
    inner join cc_components
        on nodes.node_id = cc_components.node_id
    inner join nodes as key_nodes
        on cc_components.component_id = key_nodes.node_id

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['identifier_type', 'identifier_value']) }} as person_identity_id,
        identifier_value,
        case when is_person then {{ surrogate_key(['key_identifier_type', 'key_identifier_value']) }} end
            as person_key,
        case when is_person then key_identifier_value end as key_identifier_value,
        -- run-specific: equal for nodes of one component, not stable across runs
        component_id as graph_component_id,

        ----------  strings
        identifier_type,
        node_kind,
        case when is_person then key_identifier_type end as key_identifier_type,
        block_reason,

        ----------  numerics
        record_count,

        ----------  booleans
        is_person_key_identifier,
        is_blocked,
        is_over_cap,
        is_shared_record,
        is_linking,
        is_anchor,

        ----------  timestamps
        first_seen_at,
        last_seen_at

    from (
        select
            resolved.*,
            resolved.identifier_type = resolved.key_identifier_type
                and resolved.identifier_value = resolved.key_identifier_value
                and resolved.is_person as is_person_key_identifier
        from resolved
    ) as keyed

)

select * from final
