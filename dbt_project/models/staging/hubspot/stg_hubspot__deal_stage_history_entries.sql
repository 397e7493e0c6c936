-- One row per entry of a deal's dealstage history, i.e. per time the stage was set.
-- int_hubspot__deal_stage_changes derives the transitions (stage_from -> stage_to).
{{ hubspot_property_history('deals', 'deal_id', 'dealstage', 'deal_stage') }}
