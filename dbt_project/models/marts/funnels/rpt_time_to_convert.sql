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
            when days_to_convert < {{ bound }} then {{ loop.index }}
            {%- endfor %}
            else {{ bounds | length + 1 }}
        end as bucket_number,
        case
            {%- for bound in bounds %}
            when days_to_convert < {{ bound }} then
                '{{ (bounds[loop.index0 - 1] ~ "-" ~ bound ~ " days") if not loop.first else ("< " ~ bound ~ " days") }}'
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
        percentile_cont(0.5) within group (order by days_to_convert) as median_days_to_convert,
        percentile_cont(0.9) within group (order by days_to_convert) as p90_days_to_convert
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
        round(1.0 * buckets.persons / group_stats.group_persons, 4) as share_of_group,
        round(
            1.0 * sum(buckets.persons) over (
                partition by buckets.persona, buckets.entry_channel, buckets.first_conversion_type
                order by buckets.bucket_number rows between unbounded preceding and current row
            ) / group_stats.group_persons,
            4
        ) as cumulative_share_of_group,
        round(cast(group_stats.median_days_to_convert as {{ dbt.type_numeric() }}), 3) as median_days_to_convert,
        round(cast(group_stats.p90_days_to_convert as {{ dbt.type_numeric() }}), 3) as p90_days_to_convert

    from buckets
    inner join group_stats
        on buckets.persona = group_stats.persona
        and buckets.entry_channel = group_stats.entry_channel
        and buckets.first_conversion_type = group_stats.first_conversion_type

)

select * from final
