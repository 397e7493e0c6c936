-- The person-level touchpoint timeline: one row per person and touch, from every source. Touches whose identifier
-- resolves to no person are left out (they stay visible in int_touchpoints_unioned); a touch that reaches the
-- same person through two identifiers (e.g. two of their contacts on one meeting) is kept once.
with

touchpoints as (

    select * from {{ ref('int_touchpoints_unioned') }}

),

identities as (

    select * from {{ ref('int_person_identities') }}

),

resolved as (

    select
        touchpoints.*,
        identities.person_key,
        row_number() over (
            partition by touchpoints.touch_event_id, identities.person_key
            order by touchpoints.touch_id
        ) as person_touch_rank
    from touchpoints
    inner join identities
        on touchpoints.person_identifier_type = identities.identifier_type
        and touchpoints.person_identifier_value = identities.identifier_value

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['touch_event_id', 'person_key']) }} as touchpoint_id,
        person_key,
        touch_event_id,
        source_record_id,
        owner_id,
        deal_id,

        ----------  strings
        source_system,
        source_stream,
        person_identifier_type as identified_by,
        touch_type,
        channel,
        campaign,
        campaign_key,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        gclid,
        fbclid,
        stage_from,
        stage_to,
        detail,
        currency,

        ----------  numerics
        score,
        value_amount,

        ----------  timestamps
        occurred_at

    from resolved
    where person_touch_rank = 1

)

select * from final
