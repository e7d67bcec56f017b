-- ember demo: a year of readings from six weather stations.
-- Run with `make run` (or: build/ember examples/demo.sql from the top).
.timer on
.headers on
.mode table

CREATE TABLE stations (
    id          INTEGER PRIMARY KEY,
    name        VARCHAR(40) NOT NULL,
    city        VARCHAR(40) NOT NULL,
    opened      DATE,
    elevation_m INTEGER
);
CREATE TABLE readings (
    station_id  INTEGER NOT NULL,
    day         DATE NOT NULL,
    temp_c      DECIMAL(4,1),
    rain_mm     DECIMAL(5,1),
    wind_kmh    DECIMAL(5,1)
);
COPY stations FROM 'examples/stations.csv' (HEADER);
COPY readings FROM 'examples/readings.tbl' (DELIMITER '|', HEADER);

-- Monthly climate per city: a join, grouping by an expression, ordering.
SELECT s.city,
       EXTRACT(MONTH FROM r.day) AS month,
       ROUND(AVG(r.temp_c), 1)   AS avg_temp,
       SUM(r.rain_mm)            AS rain_mm,
       COUNT(*) FILTER (WHERE r.temp_c IS NULL) AS missing
FROM readings r JOIN stations s ON s.id = r.station_id
WHERE r.day < DATE '2024-01-01' + INTERVAL '3' MONTH
GROUP BY s.city, EXTRACT(MONTH FROM r.day)
ORDER BY s.city, month;

-- The hottest day of each station: a correlated subquery, unnested into a
-- grouped aggregate joined back (EXPLAIN below shows it).
SELECT s.name, r.day, r.temp_c
FROM stations s, readings r
WHERE r.station_id = s.id
  AND r.temp_c = (SELECT MAX(temp_c) FROM readings x
                  WHERE x.station_id = s.id)
ORDER BY r.temp_c DESC, s.name;

EXPLAIN
SELECT s.name, r.day, r.temp_c
FROM stations s, readings r
WHERE r.station_id = s.id
  AND r.temp_c = (SELECT MAX(temp_c) FROM readings x
                  WHERE x.station_id = s.id);

-- Stations with no wet week: NOT EXISTS becomes an anti join.
SELECT name, city FROM stations s
WHERE NOT EXISTS (SELECT 1 FROM readings r
                  WHERE r.station_id = s.id AND r.rain_mm > 12)
ORDER BY name;

-- Set operations and window-free ranking with LIMIT.
SELECT city FROM stations WHERE elevation_m > 80
INTERSECT
SELECT city FROM stations WHERE opened < DATE '2016-01-01';

SELECT s.name, COUNT(*) AS windy_days
FROM readings r JOIN stations s ON s.id = r.station_id
WHERE r.wind_kmh > 25
GROUP BY s.name
ORDER BY windy_days DESC
LIMIT 3;

-- Statistics the optimizer plans from, always current.
PRAGMA stats('readings');
