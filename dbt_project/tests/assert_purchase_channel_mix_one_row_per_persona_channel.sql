-- rpt_purchase_channel_mix has one row per persona and purchase channel. One row per duplicated pair.
select
    persona,
    purchase_channel,
    count(*) as row_count
from {{ ref('rpt_purchase_channel_mix') }}
group by persona, purchase_channel
having count(*) > 1
