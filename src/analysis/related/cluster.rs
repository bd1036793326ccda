//! Themes as clusters of unit vectors: k-means (k-means++ seeding from a fixed seed, a few
//! restarts) with k chosen by the mean silhouette. Deterministic: the same vectors in the
//! same order always give the same clusters.

use std::ops::RangeInclusive;

/// Seed of every clustering; any fixed value would do.
const SEED: u64 = 0x5c40_11a5_2e1a_7ed0;
const RESTARTS: usize = 4;
const MAX_ITERATIONS: usize = 100;
/// Silhouettes are computed on at most this many points (an even stride over the input),
/// so a bibliography of thousands of entries costs no more than a large one.
const SILHOUETTE_SAMPLE: usize = 1000;

/// A clustering: the cluster of each point, clusters numbered from 0 with none empty.
#[derive(Clone, Debug, PartialEq)]
pub struct Clusters {
    pub k: usize,
    pub assignment: Vec<usize>,
}

/// Clusters `points` into a k from `ks` (bounded so that clusters average two points),
/// picking the k with the highest mean silhouette, the smaller on a tie. Fewer points
/// than two per cluster of the smallest k make one cluster.
pub fn themes(points: &[Vec<f32>], ks: RangeInclusive<usize>) -> Clusters {
    let n = points.len();
    let upper = (*ks.end()).min(n / 2);
    if n == 0 || upper < *ks.start() || *ks.start() < 2 {
        return Clusters { k: usize::from(n > 0), assignment: vec![0; n] };
    }
    let sample: Vec<usize> = (0..n).step_by(n.div_ceil(SILHOUETTE_SAMPLE)).collect();
    let distances = DistanceMatrix::new(points, &sample);
    let mut best: Option<(f32, Clusters)> = None;
    for k in *ks.start()..=upper {
        let clusters = kmeans(points, k);
        let labels: Vec<usize> = sample.iter().map(|&i| clusters.assignment[i]).collect();
        let score = distances.silhouette(&labels, k);
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, clusters));
        }
    }
    best.map(|(_, c)| c).expect("at least one k was tried")
}

/// k-means on `points` (k <= points.len()): the lowest-inertia result of a few
/// k-means++ restarts from the fixed seed.
pub fn kmeans(points: &[Vec<f32>], k: usize) -> Clusters {
    let mut rng = SplitMix64(SEED);
    let mut best: Option<(f64, Vec<usize>)> = None;
    for _ in 0..RESTARTS {
        let (inertia, assignment) = lloyd(points, seed_centres(points, k, &mut rng));
        if best.as_ref().is_none_or(|(b, _)| inertia < *b) {
            best = Some((inertia, assignment));
        }
    }
    let (_, assignment) = best.expect("RESTARTS > 0");
    Clusters { k, assignment }
}

/// k-means++: the first centre uniformly, each next one with probability proportional to
/// its squared distance from the nearest centre chosen so far.
fn seed_centres(points: &[Vec<f32>], k: usize, rng: &mut SplitMix64) -> Vec<Vec<f32>> {
    let mut centres = vec![points[rng.below(points.len())].clone()];
    let mut nearest: Vec<f64> = points.iter().map(|p| squared(p, &centres[0])).collect();
    while centres.len() < k {
        let total: f64 = nearest.iter().sum();
        let chosen = if total <= 0.0 {
            // Every point sits on a centre already: take any point (duplicates).
            rng.below(points.len())
        } else {
            let mut target = rng.unit() * total;
            nearest
                .iter()
                .position(|&d| {
                    target -= d;
                    target < 0.0
                })
                .unwrap_or(points.len() - 1)
        };
        let centre = points[chosen].clone();
        for (d, p) in nearest.iter_mut().zip(points) {
            *d = d.min(squared(p, &centre));
        }
        centres.push(centre);
    }
    centres
}

/// Lloyd iterations until no point moves; an emptied cluster takes the point farthest
/// from its centre. Returns the inertia and the assignment.
fn lloyd(points: &[Vec<f32>], mut centres: Vec<Vec<f32>>) -> (f64, Vec<usize>) {
    let k = centres.len();
    let dim = points[0].len();
    let mut assignment = vec![usize::MAX; points.len()];
    for _ in 0..MAX_ITERATIONS {
        let mut moved = false;
        for (slot, p) in assignment.iter_mut().zip(points) {
            let nearest = nearest_centre(p, &centres).0;
            moved |= *slot != nearest;
            *slot = nearest;
        }
        let mut counts = vec![0usize; k];
        assignment.iter().for_each(|&c| counts[c] += 1);
        for c in 0..k {
            if counts[c] == 0 {
                // k <= n, so some cluster has a point to spare.
                let farthest = (0..points.len())
                    .filter(|&i| counts[assignment[i]] > 1)
                    .max_by(|&a, &b| {
                        let da = squared(&points[a], &centres[assignment[a]]);
                        let db = squared(&points[b], &centres[assignment[b]]);
                        da.total_cmp(&db).then(b.cmp(&a))
                    })
                    .expect("k <= number of points");
                counts[assignment[farthest]] -= 1;
                counts[c] = 1;
                assignment[farthest] = c;
                moved = true;
            }
        }
        let mut sums = vec![vec![0f64; dim]; k];
        for (&c, p) in assignment.iter().zip(points) {
            sums[c].iter_mut().zip(p).for_each(|(s, &x)| *s += f64::from(x));
        }
        for ((centre, sum), count) in centres.iter_mut().zip(&sums).zip(&counts) {
            *centre = sum.iter().map(|s| (s / *count as f64) as f32).collect();
        }
        if !moved {
            break;
        }
    }
    let inertia = assignment.iter().zip(points).map(|(&c, p)| squared(p, &centres[c])).sum();
    (inertia, renumber(&assignment))
}

fn nearest_centre(p: &[f32], centres: &[Vec<f32>]) -> (usize, f64) {
    centres
        .iter()
        .enumerate()
        .map(|(c, centre)| (c, squared(p, centre)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .expect("at least one centre")
}

/// Numbers clusters in order of first appearance, so equal partitions compare equal.
fn renumber(assignment: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::new();
    assignment
        .iter()
        .map(|c| {
            order.iter().position(|o| o == c).unwrap_or_else(|| {
                order.push(*c);
                order.len() - 1
            })
        })
        .collect()
}

fn squared(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(x - y).powi(2)).sum()
}

/// Euclidean distances between the sampled points, computed once for every k.
struct DistanceMatrix {
    n: usize,
    values: Vec<f32>,
}

impl DistanceMatrix {
    fn new(points: &[Vec<f32>], sample: &[usize]) -> Self {
        let n = sample.len();
        let mut values = vec![0f32; n * n];
        for i in 0..n {
            for j in i + 1..n {
                let d = squared(&points[sample[i]], &points[sample[j]]).sqrt() as f32;
                values[i * n + j] = d;
                values[j * n + i] = d;
            }
        }
        Self { n, values }
    }

    /// Mean silhouette of a labelling of the sampled points; a point alone in its
    /// cluster counts 0 (Rousseeuw's convention).
    fn silhouette(&self, labels: &[usize], k: usize) -> f32 {
        let n = self.n;
        let mut total = 0f64;
        for i in 0..n {
            let mut sums = vec![0f64; k];
            let mut counts = vec![0usize; k];
            for j in (0..n).filter(|&j| j != i) {
                sums[labels[j]] += f64::from(self.values[i * n + j]);
                counts[labels[j]] += 1;
            }
            let own = labels[i];
            if counts[own] == 0 {
                continue;
            }
            let a = sums[own] / counts[own] as f64;
            let b = (0..k)
                .filter(|&c| c != own && counts[c] > 0)
                .map(|c| sums[c] / counts[c] as f64)
                .fold(f64::INFINITY, f64::min);
            if b.is_finite() {
                total += (b - a) / a.max(b).max(f64::MIN_POSITIVE);
            }
        }
        (total / n.max(1) as f64) as f32
    }
}

/// A small, fast generator; k-means needs reproducibility, not cryptographic quality.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / norm).collect()
    }

    /// `groups` tight bundles around the first `groups` axes of a 6-D space.
    fn bundles(groups: usize, per_group: usize) -> Vec<Vec<f32>> {
        let mut points = Vec::new();
        for i in 0..per_group {
            for g in 0..groups {
                let mut v = vec![0.02 * i as f32; 6];
                v[g] = 1.0;
                v[(g + 1) % 6] += 0.05 * (i % 3) as f32;
                points.push(unit(&v));
            }
        }
        points
    }

    fn same_partition(a: &[usize], b: &[usize]) -> bool {
        renumber(a) == renumber(b)
    }

    #[test]
    fn kmeans_is_deterministic_and_finds_separated_bundles() {
        let points = bundles(4, 5);
        let first = kmeans(&points, 4);
        assert_eq!(first, kmeans(&points, 4));
        let truth: Vec<usize> = (0..points.len()).map(|i| i % 4).collect();
        assert!(same_partition(&first.assignment, &truth), "{:?}", first.assignment);
    }

    #[test]
    fn silhouette_picks_the_number_of_bundles() {
        for groups in [3, 5] {
            let chosen = themes(&bundles(groups, 4), 3..=8);
            assert_eq!(chosen.k, groups, "{:?}", chosen.assignment);
            assert_eq!(chosen.assignment.iter().max(), Some(&(groups - 1)));
        }
    }

    #[test]
    fn too_few_points_make_one_theme() {
        let points = bundles(2, 2);
        assert_eq!(themes(&points, 3..=8), Clusters { k: 1, assignment: vec![0; 4] });
        assert_eq!(themes(&[], 3..=8), Clusters { k: 0, assignment: vec![] });
    }

    #[test]
    fn identical_points_still_fill_every_cluster() {
        let points = vec![unit(&[1.0, 0.0]); 6];
        let clusters = kmeans(&points, 3);
        for c in 0..3 {
            assert!(clusters.assignment.contains(&c), "{:?}", clusters.assignment);
        }
    }

    #[test]
    fn silhouette_of_a_clean_split_is_near_one_and_of_a_bad_one_negative() {
        let points =
            vec![unit(&[1.0, 0.0]), unit(&[1.0, 0.01]), unit(&[0.0, 1.0]), unit(&[0.01, 1.0])];
        let sample: Vec<usize> = (0..4).collect();
        let m = DistanceMatrix::new(&points, &sample);
        assert!(m.silhouette(&[0, 0, 1, 1], 2) > 0.95);
        assert!(m.silhouette(&[0, 1, 0, 1], 2) < 0.0);
    }
}
