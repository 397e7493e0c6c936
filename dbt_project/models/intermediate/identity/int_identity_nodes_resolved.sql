-- The identity graph: every identifier and record of int_identity_edges_unioned, resolved to the person it belongs to.
-- One row per node (identifier or record); person_key is null for nodes that resolve to nobody.
--
-- 1. Guardrails (seeds identity_blocklist and identity_identifier_types):
--    * blocked identifiers (shared mailboxes such as info@ / sales@, test domains, placeholder phones) link
--      nothing; a profile record (HubSpot contact, Mailchimp member) holding a blocked address is a shared
--      mailbox, not a person: it links nothing either;
--    * any other record holding a blocked address (a form submitted from info@) says nothing about who sent it
--      but through its other identifiers: they link it to a person, but cannot found one. An email or phone
--      that only such records carry is no person anchor (is_shared_mailbox_only), so a submission from info@
--      with a phone nobody else has stays unresolved instead of becoming a phantom person;
--    * an identifier is over its cap when linking through it would give one person more identifiers of some
--      type than that type's max_per_person (e.g. a switchboard phone typed by a dozen colleagues, an address on
--      thirty contacts): it links nothing. The check looks at the records carrying the identifier and the
--      identifiers they carry (one hop), before any merge.
-- 2. Connected components over the remaining record-identifier edges (bounded min-label propagation with pointer
--    jumping, macro connected_components).
-- 3. A component is a person when it holds a person anchor (identifier types with is_person_anchor: a contact, a
--    lead, a Mailchimp member, an email address or phone that a record other than a shared-mailbox one carries).
--    A lone gclid or social account is an anonymous visitor.
-- 4. person_key = hash of the component's key identifier: the anchor seen first (then by type_rank, then value).
--    New data only adds later identifiers, so the key survives runs; when two persons merge, the one seen first
--    keeps its key (identity_merge_log lists the keys that were folded in).
--
-- Incremental: a run resolves again only the components new edges can touch (the scope) and keeps every other
-- stored row. Each node stores edge_fingerprint, the hash of the edges it is on (a record's own row also carries the
-- record's version), and the graph_component_id of its component (the hash of the key node, stable across runs).
--   changed  nodes whose fingerprint differs from the stored one, new nodes and vanished nodes; every node when
--            the guardrail seeds changed (rules_fingerprint);
--   touched  the changed nodes and their current neighbours;
--   scope    the touched nodes and every stored component holding one of them.
-- Steps 1-4 then run on the edges of the scope's records and of the records carrying its identifiers, which is
-- every edge a scope node's guardrails and component depend on. Why that is exact: a record's edges change only
-- with a new version of it (changed); an identifier whose records changed is changed or a neighbour of a changed
-- record, so no guardrail outside the scope moves; and a current linking edge leaving the scope would be an old
-- edge between two stored components (impossible: it would have joined them) or a new or re-enabled one, whose ends
-- are both touched. tests/journey/test_identity_incremental.py checks merges, splits, guardrail flips and vanished
-- records against a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='person_identity_id',
    on_schema_change='fail',
    post_hook=["{{ delete_placeholder_rows('identifier_type') }}"],
) }}
{#- an edge, as seen by its identifier: for a record's own row (identifier = record) also the record's version,
    so a new version of a record changes the record node's fingerprint even when it dropped an identifier -#}
{%- set edge_hash = row_hash([
    'record_type', 'record_id', 'identifier_type', 'identifier_value', 'observed_at',
    'case when record_type = identifier_type and record_id = identifier_value then _extracted_at end',
]) %}

with

identifier_types as (

    select * from {{ ref('identity_identifier_types') }}

),

blocklist as (

    select * from {{ ref('identity_blocklist') }}

),

-- the guardrail seeds' content: when it changes, every node is resolved again
rules as (

    select {{ hash_combine('rule_hash') }} as rules_fingerprint
    from (
        select
            {{ row_hash([
                "'type'", 'identifier_type', 'type_rank', 'node_kind', 'is_person_anchor', 'max_per_person',
            ]) }} as rule_hash
        from identifier_types
        union all
        select {{ row_hash(["'block'", 'identifier_type', 'match_type', 'pattern', 'reason']) }} as rule_hash
        from blocklist
    ) as rule_hashes

),

{% if is_incremental() %}
-- scope of an incremental run (see the header) ----------------------------------------------------------------

all_edges as (

    select * from {{ ref('int_identity_edges_unioned') }}

),

stored as (

    select person_identity_id, identifier_type, identifier_value, edge_fingerprint, rules_fingerprint,
        graph_component_id
    from {{ this }}

),

current_fingerprints as (

    select
        identifier_type,
        identifier_value,
        {{ hash_combine(edge_hash) }} as edge_fingerprint
    from all_edges
    group by identifier_type, identifier_value

),

changed_nodes as (

    select
        coalesce(current_nodes.identifier_type, stored.identifier_type) as identifier_type,
        coalesce(current_nodes.identifier_value, stored.identifier_value) as identifier_value,
        stored.person_identity_id,
        current_nodes.identifier_value is null as is_vanished
    from current_fingerprints as current_nodes
    full outer join stored
        on current_nodes.identifier_type = stored.identifier_type
        and current_nodes.identifier_value = stored.identifier_value
    cross join rules
    where current_nodes.identifier_value is null
        or stored.identifier_value is null
        or current_nodes.edge_fingerprint <> stored.edge_fingerprint
        or stored.rules_fingerprint <> rules.rules_fingerprint

),

touched_nodes as (

    select identifier_type, identifier_value
    from changed_nodes
    union
    -- the identifiers a changed record carries
    select all_edges.identifier_type, all_edges.identifier_value
    from all_edges
    inner join changed_nodes
        on all_edges.record_type = changed_nodes.identifier_type
        and all_edges.record_id = changed_nodes.identifier_value
    union
    -- the records carrying a changed identifier
    select all_edges.record_type, all_edges.record_id
    from all_edges
    inner join changed_nodes
        on all_edges.identifier_type = changed_nodes.identifier_type
        and all_edges.identifier_value = changed_nodes.identifier_value

),

touched_components as (

    select distinct stored.graph_component_id
    from stored
    inner join touched_nodes
        on stored.identifier_type = touched_nodes.identifier_type
        and stored.identifier_value = touched_nodes.identifier_value

),

scope_nodes as (

    select identifier_type, identifier_value
    from touched_nodes
    union
    select stored.identifier_type, stored.identifier_value
    from stored
    inner join touched_components
        on stored.graph_component_id = touched_components.graph_component_id

),

-- the scope's records (through their own rows) and the records carrying its identifiers
scope_records as (

    select distinct all_edges.record_type, all_edges.record_id
    from all_edges
    inner join scope_nodes
        on all_edges.identifier_type = scope_nodes.identifier_type
        and all_edges.identifier_value = scope_nodes.identifier_value

),

edges as (

    select all_edges.*
    from all_edges
    inner join scope_records
        on all_edges.record_type = scope_records.record_type
        and all_edges.record_id = scope_records.record_id

),
{% else %}
edges as (

    select * from {{ ref('int_identity_edges_unioned') }}

),
{% endif %}

node_stats as (

    select
        identifier_type,
        identifier_value,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        count(*) as record_count,
        -- the raw aggregate until the end (a narrower row through the sort and joins below); stored as
        -- fingerprint_text, equal to hash_combine(edge_hash), which incremental runs compare it with
        bit_xor({{ edge_hash }}) as edge_hash_xor
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

-- records naming a blocked address that are no shared profile (those link nothing): a form from info@
shared_mailbox_records as (

    select distinct
        edges.record_type,
        edges.record_id
    from edges
    inner join blocked
        on edges.identifier_type = blocked.identifier_type
        and edges.identifier_value = blocked.identifier_value
    where edges.identifier_type = 'email'

),

-- identifiers a person can be founded on: linked by at least one record that is not a shared-mailbox one
vouched_identifiers as (

    select distinct
        linking_edges.identifier_type,
        linking_edges.identifier_value
    from linking_edges
    left join shared_mailbox_records
        on linking_edges.record_type = shared_mailbox_records.record_type
        and linking_edges.record_id = shared_mailbox_records.record_id
    where shared_mailbox_records.record_id is null

),

-- nodes, numbered so that the smallest node id of a component is its key identifier -------------------------------

nodes_flagged as (

    select
        node_stats.*,
        identifier_types.type_rank,
        identifier_types.node_kind,
        identifier_types.is_person_anchor,
        blocked.block_reason,
        blocked.identifier_value is not null as is_blocked,
        over_cap.identifier_value is not null as is_over_cap,
        shared_records.record_id is not null as is_shared_record,
        (
            identifier_types.node_kind = 'identifier'
            and blocked.identifier_value is null
            and over_cap.identifier_value is null
            and vouched_identifiers.identifier_value is null
        ) as is_shared_mailbox_only
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
    left join vouched_identifiers
        on node_stats.identifier_type = vouched_identifiers.identifier_type
        and node_stats.identifier_value = vouched_identifiers.identifier_value

),

nodes_classified as (

    select
        nodes_flagged.*,
        (
            not nodes_flagged.is_blocked
            and not nodes_flagged.is_over_cap
            and not nodes_flagged.is_shared_record
        ) as is_linking,
        (
            nodes_flagged.is_person_anchor
            and not (
                nodes_flagged.is_blocked
                or nodes_flagged.is_over_cap
                or nodes_flagged.is_shared_record
                or nodes_flagged.is_shared_mailbox_only
            )
        ) as is_anchor
    from nodes_flagged

),

nodes as (

    select
        nodes_classified.*,
        row_number() over (
            order by
                case when nodes_classified.is_anchor then 0 else 1 end,
                nodes_classified.first_seen_at nulls last,
                nodes_classified.type_rank,
                nodes_classified.identifier_value
        ) as node_id
    from nodes_classified

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
        key_nodes.is_anchor as is_person,
        -- the hash of the key node: graph_component_id, and the person_key when the component is a person
        {{ surrogate_key(['key_nodes.identifier_type', 'key_nodes.identifier_value']) }} as component_key
    from nodes
    inner join cc_components
        on nodes.node_id = cc_components.node_id
    inner join nodes as key_nodes
        on cc_components.component_id = key_nodes.node_id

),

keyed as (

    select
        resolved.*,
        (
            resolved.identifier_type = resolved.key_identifier_type
            and resolved.identifier_value = resolved.key_identifier_value
            and resolved.is_person
        ) as is_person_key_identifier
    from resolved

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['keyed.identifier_type', 'keyed.identifier_value']) }} as person_identity_id,
        keyed.identifier_value,
        case when keyed.is_person then keyed.component_key end as person_key,
        case when keyed.is_person then keyed.key_identifier_value end as key_identifier_value,
        -- the hash of the component's key node (for a person, equal to person_key): stable across runs
        keyed.component_key as graph_component_id,

        ----------  strings
        keyed.identifier_type,
        keyed.node_kind,
        case when keyed.is_person then keyed.key_identifier_type end as key_identifier_type,
        keyed.block_reason,

        ----------  numerics
        keyed.record_count,

        ----------  booleans
        keyed.is_person_key_identifier,
        keyed.is_blocked,
        keyed.is_over_cap,
        keyed.is_shared_record,
        keyed.is_shared_mailbox_only,
        keyed.is_linking,
        keyed.is_anchor,

        ----------  timestamps
        keyed.first_seen_at,
        keyed.last_seen_at,

        ----------  change detection
        {{ fingerprint_text('keyed.edge_hash_xor') }} as edge_fingerprint,
        rules.rules_fingerprint

    from keyed
    cross join rules

)

{% if is_incremental() %}
, vanished as (

    select person_identity_id from changed_nodes where is_vanished

)

select final.*
from final
inner join scope_nodes
    on final.identifier_type = scope_nodes.identifier_type
    and final.identifier_value = scope_nodes.identifier_value
union all
{{ placeholder_rows('vanished', ['person_identity_id']) }}
{% else %}
select * from final
{% endif %}
