/* Where migrant workers come from and how they travel: each origin's
 * sub-national areas (origin_areas.csv) and the border crossings and air
 * routes into Kazakhstan's regions (routes.csv). The distance from an area to
 * a region runs along the shortest route open to its origin. */
#ifndef MIGSIM_ROUTES_H
#define MIGSIM_ROUTES_H

struct world;
struct scenario;

enum mig_route_mode { MIG_ROUTE_ROAD, MIG_ROUTE_RAIL, MIG_ROUTE_AIR };

/* Reads origin_areas.csv and routes.csv of the data folder (after the
 * origins and regions) and fills the areas, routes and route distances of
 * w. An origin without areas gets one area of its own at
 * migrants.other_origin_distance_km from every region. Errors are located
 * MIG_EINPUT. */
int mig_routes_load(struct world *w, const struct scenario *sc);

/* The distance along one route from a point abroad to a region. */
double mig_routes_km(const struct world *w, const struct scenario *sc, int route, double lat,
                     double lon, int region);

#endif
