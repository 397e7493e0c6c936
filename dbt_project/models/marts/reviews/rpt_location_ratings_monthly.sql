-- Google Business Profile ratings by location over time: one row per location and calendar month (UTC) in which
-- the location received reviews, counted by the month the review was written, each in its latest version. Google
-- reviews name no person, so they are location-level facts, never touches. Averages are computed in integer
-- arithmetic (macros/arithmetic.sql) so every engine gives the same value.
with

reviews as (

    select * from {{ ref('stg_google_business__reviews') }}

),

locations as (

    select * from {{ ref('stg_google_business__locations') }}

),

monthly as (

    select
        location_id,
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as review_month,
        count(*) as reviews,
        sum(stars) as stars_total,
        sum(case when stars >= 4 then 1 else 0 end) as positive_reviews,
        sum(case when stars <= 2 then 1 else 0 end) as negative_reviews,
        sum(case when has_comment then 1 else 0 end) as reviews_with_comment,
        sum(case when has_reply then 1 else 0 end) as replied_reviews
    from reviews
    group by 1, 2

),

final as (

    select

        ----------  ids
        {{ surrogate_key(['monthly.location_id', 'monthly.review_month']) }} as location_month_id,
        monthly.location_id,

        ----------  strings
        locations.location_title,
        locations.locality,
        locations.primary_category,

        ----------  numerics
        monthly.reviews,
        monthly.stars_total,
        {{ rounded_ratio('monthly.stars_total', 'monthly.reviews', 4) }} as avg_stars,
        monthly.positive_reviews,
        monthly.negative_reviews,
        monthly.reviews_with_comment,
        monthly.replied_reviews,
        {{ rounded_ratio('monthly.replied_reviews', 'monthly.reviews', 4) }} as replies_share,

        ----------  timestamps
        monthly.review_month

    from monthly
    left join locations
        on monthly.location_id = locations.location_id

)

select * from final
