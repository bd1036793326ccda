//! Graph input/output checks and output reading shared by the generators.

use std::path::Path;

use ort::session::Session;
use ort::value::DynValue;

use crate::model::ModelError;

/// The graph must take exactly `inputs` (any order) and give at least `outputs`.
pub fn check_names(
    session: &Session,
    path: &Path,
    inputs: &[&str],
    outputs: &[&str],
) -> Result<(), ModelError> {
    let found: Vec<&str> = session.inputs().iter().map(|i| i.name()).collect();
    if found.len() != inputs.len() || !inputs.iter().all(|i| found.contains(i)) {
        return Err(ModelError::UnexpectedInputs {
            path: path.to_owned(),
            expected: inputs.join(", "),
            found: found.join(", "),
        });
    }
    let found: Vec<&str> = session.outputs().iter().map(|o| o.name()).collect();
    if !outputs.iter().all(|o| found.contains(o)) {
        return Err(ModelError::UnexpectedOutputs {
            path: path.to_owned(),
            expected: outputs.join(", "),
            found: found.join(", "),
        });
    }
    Ok(())
}

/// Rows of the last position of `logits` shaped `[rows, positions, vocab]`.
pub fn last_position_logits(logits: &DynValue, rows: usize) -> Result<Vec<Vec<f32>>, ModelError> {
    let (shape, data) = logits.try_extract_tensor::<f32>()?;
    let (positions, vocab) = match **shape {
        [r, p, v] if r as usize == rows && p > 0 => (p as usize, v as usize),
        _ => {
            return Err(ModelError::Inference(format!(
                "logits have shape {shape:?}; expected [{rows}, positions, vocab]"
            )))
        }
    };
    Ok((0..rows)
        .map(|r| {
            let start = (r * positions + positions - 1) * vocab;
            data[start..start + vocab].to_vec()
        })
        .collect())
}
