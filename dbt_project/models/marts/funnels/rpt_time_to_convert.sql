-- How long persons take from their first touch to their first conversion: the distribution of
-- customer_journeys.days_to_convert in buckets (boundaries in days: the var time_to_convert_bucket_days), by persona,
-- entry channel and first conversion type, with each bucket's share and cumulative share of its group and the
-- group's median and 90th percentile.
{%- set bounds = var('time_to_convert_bucket_days') %}

with

journeys as (

    select
        coalesce(persona, '(unknown)') as persona,
        coalesce(entry_channel, '(none)') as entry_channel,
        first_conversion_type,
        days_to_convert
    from {{ ref('customer_journeys') }}
    where first_converted_at is not null

),

bucketed as (

    select
        journeys.*,
        case
            {%- for bound in bounds %}
            when journeys.days_to_convert < {{ bound }} then {{ loop.index }}
            {%- endfor %}
            else {{ bounds | length + 1 }}
        end as bucket_number,
        case
            {%- for bound in bounds %}
            {%- set bucket_range = ('< ' ~ bound) if loop.first else (bounds[loop.index0 - 1] ~ '-' ~ bound) %}
            when journeys.days_to_convert < {{ bound }} then '{{ bucket_range }} days'
            {%- endfor %}
            else '{{ bounds[-1] }}+ days'
        end as bucket_label
    from journeys

),

group_stats as (

    select
        persona,
        entry_channel,
        first_conversion_type,
        count(*) as group_persons,
        -- nearest-rank percentiles (percentile_disc): a value some person has, with no interpolation in floating
        -- point, so every engine returns the same number
        percentile_disc(0.5) within group (
            order by days_to_convert
        ) as median_days_to_convert,
        percentile_disc(0.9) within group (
            order by days_to_convert
        ) as p90_days_to_convert
    from journeys
    group by persona, entry_channel, first_conversion_type

),

buckets as (

    select
        persona,
        entry_channel,
        first_conversion_type,
        bucket_number,
        bucket_label,
        count(*) as persons
    from bucketed
    group by persona, entry_channel, first_conversion_type, bucket_number, bucket_label

),

cumulated as (

    select
        buckets.*,
        sum(buckets.persons) over (
            partition by buckets.persona, buckets.entry_channel, buckets.first_conversion_type
            order by buckets.bucket_number rows between unbounded preceding and current row
        ) as cumulative_persons
    from buckets

),

final as (

    select

        ----------  strings
        buckets.persona,
        buckets.entry_channel,
        buckets.first_conversion_type,
        buckets.bucket_label,

        ----------  numerics
        buckets.bucket_number,
        buckets.persons,
        group_stats.group_persons,
        {{ rounded_ratio('buckets.persons', 'group_stats.group_persons', 4) }} as share_of_group,
        {{ rounded_ratio('buckets.cumulative_persons', 'group_stats.group_persons', 4) }} as cumulative_share_of_group,
        group_stats.median_days_to_convert,
        group_stats.p90_days_to_convert

    from cumulated as buckets
    inner join group_stats
        on buckets.persona = group_stats.persona
        and buckets.entry_channel = group_stats.entry_channel
        and buckets.first_conversion_type = group_stats.first_conversion_type

)

select * from final
