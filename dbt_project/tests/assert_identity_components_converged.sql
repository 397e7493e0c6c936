-- The bounded label propagation of int_identity_nodes_resolved (var identity_max_passes) converged: no linking edge
-- of the identity graph joins two different components. Raise identity_max_passes if this fails.
select
    edges.record_type,
    edges.record_id,
    edges.identifier_type,
    edges.identifier_value
from {{ ref('int_identity_edges_unioned') }} as edges
inner join {{ ref('int_identity_nodes_resolved') }} as records
    on edges.record_type = records.identifier_type
    and edges.record_id = records.identifier_value
inner join {{ ref('int_identity_nodes_resolved') }} as identifiers
    on edges.identifier_type = identifiers.identifier_type
    and edges.identifier_value = identifiers.identifier_value
where records.is_linking
    and identifiers.is_linking
    and records.graph_component_id <> identifiers.graph_component_id
